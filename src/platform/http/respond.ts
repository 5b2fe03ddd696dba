// Runs a route's Effect on the application runtime and turns its success or
// typed failure into a Response. Defects become a generic 500, logged in full.
//
// What a route's program may fail with and require is the app's to say: it
// fills in RouteTypes by declaration merging (app/route-types.ts), so route
// files type against the app's error union and services while importing
// nothing above the platform.
import { Cause, Effect, Exit } from "effect"
import type { ManagedRuntime } from "effect"
import { problemResponse, problemType, type ProblemBody } from "./problem"
import type { ProblemsShape } from "./problems-service"
import { requestIdOf } from "./request-id"

// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface RouteTypes {}

type RouteError = RouteTypes extends { readonly error: infer E } ? E : never
type RouteServices = RouteTypes extends { readonly services: infer R } ? R : never

export type Respond = <A>(
  request: Request,
  program: Effect.Effect<A, RouteError, RouteServices>,
  options?: { readonly status?: number | ((value: A) => number); readonly headers?: Record<string, string> | ((value: A) => Record<string, string>) },
) => Promise<Response>

/** A bug: generic text for the caller, details only in the log. */
export const internalProblem = (requestId: string): ProblemBody => ({
  type: problemType("internal_error"),
  title: "Internal error",
  status: 500,
  detail: "Something went wrong on our side. Quote the request id if you contact support.",
  code: "internal_error",
  request_id: requestId,
})

/** Runs route programs: the app's runtime, or a runner over services a Layer built. */
export type RouteRunner = Pick<ManagedRuntime.ManagedRuntime<RouteServices, unknown>, "runPromiseExit" | "runPromise">

export const makeRespond =
  (runtime: RouteRunner, problems: ProblemsShape): Respond =>
  async (request, program, options = {}) => {
    const requestId = requestIdOf(request)
    const exit = await runtime.runPromiseExit(program.pipe(Effect.annotateLogs({ request_id: requestId })), { signal: request.signal })
    if (Exit.isSuccess(exit)) {
      // A program that built its own answer (idempotent replays) passes through.
      if (exit.value instanceof Response) {
        exit.value.headers.set("x-request-id", requestId)
        return exit.value
      }
      return Response.json(exit.value, {
        status: typeof options.status === "function" ? options.status(exit.value) : (options.status ?? 200),
        headers: { "x-request-id": requestId, ...(typeof options.headers === "function" ? options.headers(exit.value) : options.headers) },
      })
    }
    const failure = Cause.findErrorOption(exit.cause)
    const rendered = failure._tag === "Some" ? problems.render(failure.value, requestId) : undefined
    if (rendered) {
      const { body, headers } = rendered
      if (body.status >= 500) await runtime.runPromise(Effect.logWarning("request failed", { code: body.code, status: body.status }).pipe(Effect.annotateLogs({ request_id: requestId })))
      return problemResponse(body, headers)
    }
    await runtime.runPromise(Effect.logError("unhandled failure", { cause: Cause.pretty(exit.cause) }).pipe(Effect.annotateLogs({ request_id: requestId })))
    return problemResponse(internalProblem(requestId))
  }

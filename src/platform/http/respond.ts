// Runs a route's Effect on the application runtime and turns its success or
// typed failure into a Response. Defects become a generic 500, logged in full.
//
// What a route's program may fail with and require is the app's to say: it
// fills in RouteTypes by declaration merging (app/route-types.ts), so route
// files type against the app's error union and services while importing
// nothing above the platform.
//
// A route hands `respond` its failures (failures.ts) with its program: a
// program that can fail with anything else does not compile, and
// `respond.documented` turns the same failures into the route's problem
// statuses, so what the API reference lists comes from the error types.
import { Cause, Effect, Exit } from "effect"
import type { ManagedRuntime } from "effect"
import { problemResponse, problemType, withProblems, type Problem, type ProblemBody } from "./problem"
import type { ProblemsShape } from "./problems-service"
import { requestIdOf } from "./request-id"

// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface RouteTypes {}

export type RouteError = RouteTypes extends { readonly error: infer E } ? E : never
export type RouteServices = RouteTypes extends { readonly services: infer R } ? R : never

/** Every tag a route's program may fail with. */
export type RouteTag = RouteError extends { readonly _tag: infer T extends string } ? T : never

export type RespondOptions<A> = { readonly status?: number | ((value: A) => number); readonly headers?: Record<string, string> | ((value: A) => Record<string, string>) }

export type Respond = {
  <A, const T extends RouteTag = never>(
    request: Request,
    /** What the program may fail with: its error type must be covered. */
    failures: ReadonlyArray<T>,
    program: Effect.Effect<A, NoInfer<Extract<RouteError, { readonly _tag: T }>>, RouteServices>,
    options?: RespondOptions<A>,
  ): Promise<Response>
  /** A route's response schemas: its success schemas and a problem for each status its failures answer with. */
  readonly documented: <S extends Record<number, unknown>>(success: S, failures: ReadonlyArray<RouteTag>) => S & Record<number, typeof Problem>
}

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

export const makeRespond = (runtime: RouteRunner, problems: ProblemsShape): Respond => {
  const respond = async <A>(request: Request, _failures: ReadonlyArray<string>, program: Effect.Effect<A, RouteError, RouteServices>, options: RespondOptions<A> = {}) => {
    const requestId = requestIdOf(request)
    const exit = await runtime.runPromiseExit(program.pipe(Effect.annotateLogs({ request_id: requestId }), Effect.annotateSpans({ request_id: requestId })), { signal: request.signal })
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
  const documented = <S extends Record<number, unknown>>(success: S, failures: ReadonlyArray<RouteTag>) =>
    withProblems(
      success,
      failures.map((tag) => {
        const status = problems.statusOf(tag)
        // Every tag has a problem (the app's map is keyed by all of them): a miss is a bug at start-up, not a silent gap in the docs.
        if (status === undefined) throw new Error(`no problem document for ${tag}`)
        return status
      }),
    )
  return Object.assign(respond, { documented }) as Respond
}

/** A program a route may hand `respond` with failures T: it fails with nothing else. */
export type RouteProgram<A, T extends RouteTag> = Effect.Effect<A, NoInfer<Extract<RouteError, { readonly _tag: T }>>, RouteServices>

// Runs a route's Effect on the application runtime and turns its success or
// typed failure into a Response. Defects become a generic 500, logged in full.
import { Cause, Effect, Exit } from "effect"
import { problemResponse } from "../platform/http/problem"
import { requestIdOf } from "../platform/http/request-id"
import { internalProblem, isAppError, toProblem, type AppError } from "./error-map"
import type { AppRuntime, AppServices } from "./layers"

export type Respond = <A>(
  request: Request,
  program: Effect.Effect<A, AppError, AppServices>,
  options?: { readonly status?: number | ((value: A) => number); readonly headers?: Record<string, string> | ((value: A) => Record<string, string>) },
) => Promise<Response>

export const problemFor = (error: unknown, request: Request): Response | undefined => {
  if (!isAppError(error)) return undefined
  const { body, headers } = toProblem(error, requestIdOf(request))
  return problemResponse(body, headers)
}

export const makeRespond = (runtime: AppRuntime): Respond => async (request, program, options = {}) => {
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
  if (failure._tag === "Some" && isAppError(failure.value)) {
    const { body, headers } = toProblem(failure.value, requestId)
    if (body.status >= 500) await runtime.runPromise(Effect.logWarning("request failed", { code: body.code, status: body.status }).pipe(Effect.annotateLogs({ request_id: requestId })))
    return problemResponse(body, headers)
  }
  await runtime.runPromise(Effect.logError("unhandled failure", { cause: Cause.pretty(exit.cause) }).pipe(Effect.annotateLogs({ request_id: requestId })))
  return problemResponse(internalProblem(requestId))
}

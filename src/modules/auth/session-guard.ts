// Routes of signed-in users run their program for the session's user.
import { Effect } from "effect"
import { allOf } from "../../platform/http/failures"
import type { Respond, RespondOptions, RouteProgram, RouteTag } from "../../platform/http/respond"
import type { UserRow } from "../../store/users/repo"
import { sessionFailures } from "./failures"
import { requireSession } from "./service"

export const asSignedIn = <A, E, R>(request: Request, program: (user: UserRow) => Effect.Effect<A, E, R>) =>
  requireSession(request.headers.get("authorization"), request.headers.get("cookie")).pipe(Effect.flatMap(program))

/**
 * `respond` for signed-in routes: the session is required before the program
 * runs for its user, and its failures join the route's, in the answer and in
 * the documented statuses.
 */
export const signedInResponder = (respond: Respond) => ({
  respond: <A, const T extends RouteTag = never>(request: Request, failures: ReadonlyArray<T>, program: (user: UserRow) => RouteProgram<A, T>, options?: RespondOptions<A>) =>
    // Sound: the program fails with T only (this signature), the session check with its own.
    respond<A, RouteTag>(request, [...sessionFailures, ...failures], asSignedIn(request, program) as RouteProgram<A, RouteTag>, options),
  documented: <S extends Record<number, unknown>>(success: S, ...failures: ReadonlyArray<ReadonlyArray<RouteTag>>) => respond.documented(success, allOf(sessionFailures, ...failures)),
})

import { Effect } from "effect"
import { createHash, timingSafeEqual } from "node:crypto"
import { AppConfig } from "../../platform/config/service"
import { bearerToken } from "../keys/verifier"
import { allOf } from "../../platform/http/failures"
import type { Respond, RespondOptions, RouteProgram, RouteTag } from "../../platform/http/respond"
import { AdminUnauthorized } from "./errors"
import { adminFailures } from "./failures"

const digest = (s: string) => createHash("sha256").update(s).digest()

/** Constant-time check of a token (hashing first equalises lengths); an empty one never matches, even an empty expected one. */
export const tokenMatches = (given: string | undefined, expected: string): boolean =>
  given !== undefined && given.length > 0 && timingSafeEqual(digest(given), digest(expected))

export const requireAdmin = (authorization: string | null) =>
  Effect.flatMap(AppConfig, (config) =>
    config.adminToken !== undefined && tokenMatches(bearerToken(authorization), config.adminToken) ? Effect.void : Effect.fail(new AdminUnauthorized()),
  )

export const asAdmin = <A, E, R>(request: Request, program: Effect.Effect<A, E, R>) =>
  Effect.andThen(requireAdmin(request.headers.get("authorization")), program)

/**
 * `respond` for admin routes: the guard runs before the program and its
 * failure joins the route's, in the answer and in the documented statuses.
 */
export const adminResponder = (respond: Respond) => ({
  respond: <A, const T extends RouteTag = never>(request: Request, failures: ReadonlyArray<T>, program: RouteProgram<A, T>, options?: RespondOptions<A>) =>
    // Sound: the program fails with T only (this signature), the guard with its own.
    respond<A, RouteTag>(request, [...adminFailures, ...failures], asAdmin(request, program) as RouteProgram<A, RouteTag>, options),
  documented: <S extends Record<number, unknown>>(success: S, ...failures: ReadonlyArray<ReadonlyArray<RouteTag>>) => respond.documented(success, allOf(adminFailures, ...failures)),
})

export type AdminResponder = ReturnType<typeof adminResponder>

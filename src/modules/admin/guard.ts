import { Effect } from "effect"
import { createHash, timingSafeEqual } from "node:crypto"
import { AppConfig } from "../../platform/config/service"
import { bearerToken } from "../keys/verifier"
import { AdminUnauthorized } from "./errors"

const digest = (s: string) => createHash("sha256").update(s).digest()

/** Constant-time check of the admin bearer token (hashing first equalises lengths). */
export const tokenMatches = (given: string | undefined, expected: string): boolean =>
  given !== undefined && timingSafeEqual(digest(given), digest(expected))

export const requireAdmin = (authorization: string | null) =>
  Effect.flatMap(AppConfig, (config) =>
    config.adminToken !== undefined && tokenMatches(bearerToken(authorization), config.adminToken) ? Effect.void : Effect.fail(new AdminUnauthorized()),
  )

export const asAdmin = <A, E, R>(request: Request, program: Effect.Effect<A, E, R>) =>
  Effect.andThen(requireAdmin(request.headers.get("authorization")), program)

// What the admin guard can fail with, as values (platform/http/failures.ts).
import type { Effect } from "effect"
import { failuresOf } from "../../platform/http/failures"
import type { requireAdmin } from "./guard"

/** `requireAdmin` (and so `asAdmin`): the admin bearer token. */
export const adminFailures = failuresOf<Effect.Error<ReturnType<typeof requireAdmin>>>()(["AdminUnauthorized"])

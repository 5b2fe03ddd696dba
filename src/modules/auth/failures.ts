// What the sign-in steps can fail with, as values (platform/http/failures.ts).
import type { Effect } from "effect"
import { failuresOf } from "../../platform/http/failures"
import type { requireSession } from "./service"

/** `requireSession` (and so `asSignedIn`): the session of a request. */
export const sessionFailures = failuresOf<Effect.Error<ReturnType<typeof requireSession>>>()(["SessionRequired", "StoreUnavailable"])

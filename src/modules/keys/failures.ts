// What the key steps can fail with, as values (platform/http/failures.ts):
// routes compose them into the failures they document.
import type { Effect } from "effect"
import { failuresOf } from "../../platform/http/failures"
import type { ApiKeysShape } from "./verifier"

/** `ApiKeys.authenticate`: the bearer API key of a request. */
export const authenticationFailures = failuresOf<Effect.Error<ReturnType<ApiKeysShape["authenticate"]>>>()([
  "ApiKeyMissing",
  "ApiKeyMalformed",
  "ApiKeyUnknown",
  "KeyRevoked",
  "KeyExpired",
  "KeySuspended",
  "StoreUnavailable"
])

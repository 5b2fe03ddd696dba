// The problem documents of this module's errors. API key authentication and key management.
// The map is keyed by every tag of the union, so an error without one does not compile.
import { bearerChallenge, problem, type ProblemMap } from "../../platform/http/problem"
import type { ApiKeyMalformed, ApiKeyMissing, ApiKeyUnknown, KeyExpired, KeyNotFound, KeyRevoked, KeySuspended } from "./errors"

/** Every failure of this module that can reach a response. */
export type KeysFailure = ApiKeyMissing | ApiKeyMalformed | ApiKeyUnknown | KeyRevoked | KeyExpired | KeySuspended | KeyNotFound

export const keysProblems: ProblemMap<KeysFailure> = {
  ApiKeyMissing: problem(401, "api_key_missing", "API key required", () => "Send your API key as `Authorization: Bearer tk_live_...` (or tk_test_...).", { headers: () => bearerChallenge }),
  ApiKeyMalformed: problem(401, "api_key_malformed", "Malformed API key", () => "The Authorization header does not hold a valid API key (wrong format or checksum; check for a copy-paste typo). Expected `Authorization: Bearer tk_live_...`.", { headers: () => bearerChallenge }),
  ApiKeyUnknown: problem(401, "api_key_invalid", "Invalid API key", () => "This API key is not valid. It may have been rolled or never existed.", { headers: () => bearerChallenge }),
  KeyRevoked: problem(401, "api_key_revoked", "API key revoked", () => "This API key has been revoked. Create a new one.", { headers: () => bearerChallenge }),
  KeyExpired: problem(401, "api_key_expired", "API key expired", () => "This API key has expired. Create a new one.", { headers: () => bearerChallenge }),
  KeySuspended: problem(403, "api_key_suspended", "API key suspended", (e) => `This API key is suspended (${e.reason}).${e.reason === "payment_failed" ? " Update your payment method; the key works again once the invoice is paid." : ""}`, { extra: (e) => ({ reason: e.reason }) }),
  KeyNotFound: problem(404, "key_not_found", "Key not found", (e) => `No key ${e.keyId.slice(0, 64)} on this account.`),
}

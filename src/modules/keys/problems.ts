// The problem documents of this module's errors. API key authentication and key management.
// The map is keyed by every tag of the union, so an error without one does not compile.
import { bearerChallenge, type ProblemMap } from "../../platform/http/problem"
import type { ApiKeyMalformed, ApiKeyMissing, ApiKeyUnknown, KeyExpired, KeyNotFound, KeyRevoked, KeySuspended } from "./errors"

/** Every failure of this module that can reach a response. */
export type KeysFailure = ApiKeyMissing | ApiKeyMalformed | ApiKeyUnknown | KeyRevoked | KeyExpired | KeySuspended | KeyNotFound

export const keysProblems: ProblemMap<KeysFailure> = {
  ApiKeyMissing: {
    status: 401,
    code: "api_key_missing",
    title: "API key required",
    detail: () => "Send your API key as `Authorization: Bearer tk_live_...` (or tk_test_...).",
    headers: () => bearerChallenge,
  },
  ApiKeyMalformed: {
    status: 401,
    code: "api_key_malformed",
    title: "Malformed API key",
    detail: () => "The Authorization header does not hold a valid API key (wrong format or checksum; check for a copy-paste typo). Expected `Authorization: Bearer tk_live_...`.",
    headers: () => bearerChallenge,
  },
  ApiKeyUnknown: {
    status: 401,
    code: "api_key_invalid",
    title: "Invalid API key",
    detail: () => "This API key is not valid. It may have been rolled or never existed.",
    headers: () => bearerChallenge,
  },
  KeyRevoked: {
    status: 401,
    code: "api_key_revoked",
    title: "API key revoked",
    detail: () => "This API key has been revoked. Create a new one.",
    headers: () => bearerChallenge,
  },
  KeyExpired: {
    status: 401,
    code: "api_key_expired",
    title: "API key expired",
    detail: () => "This API key has expired. Create a new one.",
    headers: () => bearerChallenge,
  },
  KeySuspended: {
    status: 403,
    code: "api_key_suspended",
    title: "API key suspended",
    detail: (e) => `This API key is suspended (${e.reason}).${e.reason === "payment_failed" ? " Update your payment method; the key works again once the invoice is paid." : ""}`,
    extra: (e) => ({ reason: e.reason }),
  },
  KeyNotFound: {
    status: 404,
    code: "key_not_found",
    title: "Key not found",
    detail: (e) => `No key ${e.keyId.slice(0, 64)} on this account.`,
  },
}

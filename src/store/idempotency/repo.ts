import type { Effect } from "effect"
import type { StoreUnavailable } from "../../platform/db/errors"

export type Claim =
  | { readonly kind: "claimed" }
  | { readonly kind: "replay"; readonly status: number; readonly response: string }
  | { readonly kind: "in_flight" }
  | { readonly kind: "mismatch" }

export interface IdempotencyRepo {
  /** Claims (scope, key) for a request whose body hashes to `requestHash`, or says why not. */
  readonly claim: (scope: string, key: string, requestHash: string, now: number, ttlMs: number) => Effect.Effect<Claim, StoreUnavailable>
  /** Stores the final response for replays. */
  readonly complete: (scope: string, key: string, status: number, response: string) => Effect.Effect<void, StoreUnavailable>
  /** Drops an in-flight claim whose request may safely run again (it changed nothing). */
  readonly release: (scope: string, key: string) => Effect.Effect<void, StoreUnavailable>
}

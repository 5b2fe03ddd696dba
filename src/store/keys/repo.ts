import type { Effect } from "effect"
import type { StoreUnavailable } from "../../platform/db/errors"
import type { apiKeys } from "../../platform/db/schema.sqlite"

/**
 * A key as listings, admin routes and key management read it: without its
 * storage namespace, which only the verifier's lookup reads, so no route that
 * shows a key can show it.
 */
export type KeyRow = Omit<typeof apiKeys.$inferSelect, "storageNamespace">
export type NewKey = typeof apiKeys.$inferInsert

/** A key as the verifier sees it: with its storage namespace and its owner's card status, read in the same lookup. */
export type VerifiedKeyRow = KeyRow & { readonly storageNamespace: string; readonly ownerCardVerifiedAt: number | null }

/** A key with its month's counted calls and spend (the quota and cap counters). */
export type KeyListing = KeyRow & { readonly opsThisMonth: number; readonly spendThisMonthMicroUsd: number }

export type KeyPatch = Partial<Pick<KeyRow, "tier" | "rateLimitPerMinute" | "monthlyQuota" | "concurrencyLimit" | "monthlySpendCapMicroUsd" | "status" | "statusReason">>

export interface KeysRepo {
  readonly insert: (key: NewKey) => Effect.Effect<void, StoreUnavailable>
  /** One indexed lookup: the current hash, or a rolled key's previous hash still inside its grace period. */
  readonly findByHash: (hash: string, now: number) => Effect.Effect<VerifiedKeyRow | undefined, StoreUnavailable>
  readonly findById: (id: string) => Effect.Effect<KeyRow | undefined, StoreUnavailable>
  /** The user's keys with this period's call count (period = "YYYY-MM"). */
  readonly listByUser: (userId: string, period: string) => Effect.Effect<ReadonlyArray<KeyListing>, StoreUnavailable>
  readonly listAll: (options: { readonly limit: number; readonly after?: string | undefined }) => Effect.Effect<ReadonlyArray<KeyRow>, StoreUnavailable>
  /** Replaces the secret; the old hash keeps working until `graceUntil` (null = not at all). */
  readonly roll: (id: string, next: { readonly keyHash: string; readonly prefix: string; readonly graceUntil: number | null }) => Effect.Effect<KeyRow | undefined, StoreUnavailable>
  readonly revoke: (id: string, now: number) => Effect.Effect<KeyRow | undefined, StoreUnavailable>
  readonly update: (id: string, patch: KeyPatch) => Effect.Effect<KeyRow | undefined, StoreUnavailable>
  readonly touchLastUsed: (id: string, now: number) => Effect.Effect<void, StoreUnavailable>
  /**
   * The wallet that holds the key's storage data: the one recorded, or, if
   * none is yet, the key's wallet as the row has it now, recorded in the same
   * statement (never a wallet id the caller read earlier: rotation may have
   * moved the key since). Undefined when the key does not exist or has no wallet.
   */
  readonly claimStorageWallet: (id: string) => Effect.Effect<string | undefined, StoreUnavailable>
}

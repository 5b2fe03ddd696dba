import type { Effect } from "effect"
import type { StoreUnavailable } from "../../platform/db/errors"
import type { usage } from "../../platform/db/schema.sqlite"

export type UsageRow = typeof usage.$inferSelect
export type NewUsage = typeof usage.$inferInsert

/**
 * reserved: the call holds one op of its key's month and nothing is paid yet
 * (no signature). pending: its payment is claimed (price, wallet, intent and
 * signature written) and may be submitted. unknown: submitted, answer lost.
 * settled / failed are final. The key's usage_periods counters always equal
 * its rows: ops = reserved + pending + unknown + settled rows, spend = their
 * developer prices (0 while reserved), changed in the same transaction.
 */
export type UsageState = "reserved" | "pending" | "settled" | "failed" | "unknown"

/** A call counted against its key's month before anything is paid. */
export type Reservation = {
  readonly id: string
  readonly keyId: string
  readonly userId: string
  readonly agentId: string
  readonly requestId: string
  readonly idempotencyKey: string | null
  /** The key's environment: "test" rows ran on the sandbox and are never billed. */
  readonly environment: "live" | "test"
  /** Whether the call is billed once settled, decided now (gateway/billable.ts). */
  readonly billable: boolean
  readonly createdAt: number
}

/** The call's own payment: what it costs and the signed message that pays it. */
export type Payment = {
  readonly agentName: string
  readonly agentPriceMicroUsd: number
  readonly markupMicroUsd: number
  readonly developerPriceMicroUsd: number
  readonly priceToken: string
  readonly priceBase: number
  readonly solRateMicroUsd: number | null
  readonly walletId: string
  readonly paymentIntentId: string
  readonly txSignature: string
}

export type ClaimResult =
  | { readonly kind: "claimed" }
  /** Another row holds this signature or intent: the message must not be submitted for this call. */
  | { readonly kind: "duplicate" }
  /** The spend cap would be passed: the row is removed and its op given back. */
  | { readonly kind: "over_cap"; readonly spentMicroUsd: number }
  /** The row is no longer reserved (the reconciler released it as abandoned). */
  | { readonly kind: "gone" }

export type HistoryQuery = {
  readonly keyId?: string | undefined
  readonly userId?: string | undefined
  readonly agentId?: string | undefined
  /** [from, to) in epoch ms. */
  readonly from?: number | undefined
  readonly to?: number | undefined
  /** Cursor: rows with ids below this one (newest first). */
  readonly before?: string | undefined
  readonly limit: number
}

/** Settled calls of one UTC day and agent. */
export type DailyTotal = { readonly day: string; readonly agentId: string; readonly agentName: string; readonly calls: number; readonly spendMicroUsd: number }

export type AgentTotal = { readonly agentId: string; readonly agentName: string; readonly ops: number; readonly spendMicroUsd: number }

export interface UsageRepo {
  /**
   * Counts one call against the key's month (only while ops < quota; null =
   * no quota) and writes its reserved row, in one transaction. The ops after
   * it, or undefined when the quota is used up (nothing written).
   */
  readonly reserve: (row: Reservation, period: string, quota: number | null) => Effect.Effect<number | undefined, StoreUnavailable>
  /**
   * reserved → pending with its payment, adding its price to the month's
   * spend only within the cap (null = no cap), in one transaction. The unique
   * indexes on signature and intent make this the arbiter across instances.
   */
  readonly claim: (id: string, period: string, payment: Payment, capMicroUsd: number | null) => Effect.Effect<ClaimResult, StoreUnavailable>
  /**
   * Gives back an open call's op and spend in the same transaction: a
   * reserved row (never paid) is removed, a pending/unknown one becomes
   * failed. `false` if the row is final or absent.
   */
  readonly release: (id: string, error: string) => Effect.Effect<boolean, StoreUnavailable>
  /**
   * pending/unknown → settled, and "pending" for the Stripe reporter when the
   * row is billable ("skipped" otherwise). `false` if the row was already final.
   */
  readonly settle: (id: string, settled: { readonly txSignature: string; readonly receiptId: string | null; readonly settledAt: number }) => Effect.Effect<boolean, StoreUnavailable>
  readonly markUnknown: (id: string, detail: { readonly txSignature: string | null; readonly error: string }) => Effect.Effect<void, StoreUnavailable>
  /** Rows whose outcome is not known: `unknown`, or `reserved`/`pending` since before `staleBefore` (a crash mid-call). */
  readonly unresolved: (staleBefore: number, limit: number, afterId?: string) => Effect.Effect<ReadonlyArray<UsageRow>, StoreUnavailable>
  readonly findById: (id: string) => Effect.Effect<UsageRow | undefined, StoreUnavailable>
  readonly history: (query: HistoryQuery) => Effect.Effect<ReadonlyArray<UsageRow>, StoreUnavailable>
  /**
   * Settled calls of a key in a period (calls started in it), per agent: from
   * the day counters settlement keeps, never by scanning rows.
   */
  readonly totalsByAgent: (keyId: string, period: string) => Effect.Effect<ReadonlyArray<AgentTotal>, StoreUnavailable>
  /** Settled calls per UTC day and agent, days [fromDay, toDay] ("YYYY-MM-DD"), of one key or all a user's keys: from the day counters. */
  readonly daily: (scope: { readonly keyId: string } | { readonly userId: string }, fromDay: string, toDay: string) => Effect.Effect<ReadonlyArray<DailyTotal>, StoreUnavailable>
}

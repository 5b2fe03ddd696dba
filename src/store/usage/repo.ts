import type { Effect } from "effect"
import type { StoreUnavailable } from "../../platform/db/errors"
import type { usage } from "../../platform/db/schema.sqlite"

export type UsageRow = typeof usage.$inferSelect
export type NewUsage = typeof usage.$inferInsert

/**
 * pending: the call is recorded with its payment (price, wallet, intent and
 * signature written), counted in its key's month, and may be submitted.
 * unknown: submitted, answer lost. settled / failed are final. reserved: a
 * call counted before its payment, as releases before calls were recorded
 * with their payment in one commit wrote them (the reconciler releases such
 * rows). The key's usage_periods counters always equal its rows: ops =
 * reserved + pending + unknown + settled rows, spend = their developer prices
 * (0 while reserved), changed in the same transaction.
 */
export type UsageState = "reserved" | "pending" | "settled" | "failed" | "unknown"

/** A call, as counted against its key's month. */
export type NewCall = {
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

export type RecordResult =
  /** `ops`: the key's calls this month, this one counted. */
  | { readonly kind: "recorded"; readonly ops: number }
  /** Another row holds this signature or intent: the message must not be submitted for this call. Nothing written. */
  | { readonly kind: "duplicate" }
  /** The month's quota is used up. Nothing written. */
  | { readonly kind: "over_quota" }
  /** The spend cap would be passed. Nothing written. */
  | { readonly kind: "over_cap"; readonly spentMicroUsd: number }

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

/** Usage rows by state and the Stripe outbox, for /metrics and the alerts. */
export type UsageGauges = {
  readonly pending: number
  readonly unknown: number
  readonly failed: number
  readonly settledThisMonth: number
  readonly outboxPending: number
  /** created_at of the oldest row waiting for Stripe, epoch ms; null when none waits. */
  readonly outboxOldestAt: number | null
  /** created_at of the oldest unknown row, epoch ms; null when none is unknown. */
  readonly unknownOldestAt: number | null
}

/** Settled calls of one UTC day and agent. */
export type DailyTotal = { readonly day: string; readonly agentId: string; readonly agentName: string; readonly calls: number; readonly spendMicroUsd: number }

export type AgentTotal = { readonly agentId: string; readonly agentName: string; readonly ops: number; readonly spendMicroUsd: number }

export interface UsageRepo {
  /**
   * Records a call with its own payment as a pending row, counting one op of
   * the key's month (only while ops < quota; null = no quota) and adding its
   * price to the month's spend (only within the cap; null = no cap), in one
   * commit: the only write before the signed message may leave. The unique
   * indexes on signature and intent make this the arbiter across instances.
   */
  readonly record: (call: NewCall, period: string, payment: Payment, limits: { readonly quota: number | null; readonly capMicroUsd: number | null }) => Effect.Effect<RecordResult, StoreUnavailable>
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
   * The call with this request id among a user's rows (one key's, when
   * `keyId` is given), from its payment on (no reserved row): one index read
   * (`usage_request_id_idx`). A request id the caller sent itself may name
   * several calls: the newest is returned.
   */
  readonly findByRequestId: (requestId: string, viewer: { readonly userId: string; readonly keyId?: string | undefined }) => Effect.Effect<UsageRow | undefined, StoreUnavailable>
  /**
   * Settled calls of a key in a period (calls started in it), per agent: from
   * the day counters settlement keeps, never by scanning rows.
   */
  /**
   * For the operator's gauges: rows in flight (pending, unknown) and failed, by
   * the state index; this month's settled calls and the rows waiting for
   * Stripe from the billing counters; the oldest waiting row's time.
   */
  readonly gauges: (period: string) => Effect.Effect<UsageGauges, StoreUnavailable>
  readonly totalsByAgent: (keyId: string, period: string) => Effect.Effect<ReadonlyArray<AgentTotal>, StoreUnavailable>
  /** Settled calls per UTC day and agent, days [fromDay, toDay] ("YYYY-MM-DD"), of one key or all a user's keys: from the day counters. */
  readonly daily: (scope: { readonly keyId: string } | { readonly userId: string }, fromDay: string, toDay: string) => Effect.Effect<ReadonlyArray<DailyTotal>, StoreUnavailable>
}

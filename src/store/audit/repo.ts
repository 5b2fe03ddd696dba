// Reads the money audit needs, for one month: written once on drizzle's
// neutral `sql` (statements.ts); the dialects differ only in how they run it.
import type { Effect } from "effect"
import type { StoreUnavailable } from "../../platform/db/errors"

export type MonthRange = { readonly period: string; readonly start: number; readonly end: number }

export type SharedPayment = { readonly id: string; readonly value: string }
/** A row's payment and the network it is on (test rows paid on the sandbox). */
export type SettledPayment = { readonly id: string; readonly txSignature: string | null; readonly environment: "live" | "test" }
export type Totals = { readonly ops: number; readonly spendMicroUsd: number }
/** A key's month counters (or, with `agentId`, its settled calls' day counters for that agent) against its rows. */
export type CounterMismatch = { readonly keyId: string; readonly agentId?: string; readonly counter: Totals; readonly rows: Totals }
/** A user's billing counters for the month against their live settled rows, column by column (settled_ops, pending_micro_usd, …). */
export type BillingCounterMismatch = { readonly userId: string; readonly counter: Readonly<Record<string, number>>; readonly rows: Readonly<Record<string, number>> }
export type StripeRow = { readonly id: string; readonly reason: string | null }

export interface AuditRepo {
  /** Rows of the month whose signature or intent another row also holds. */
  readonly sharedSignatures: (range: MonthRange) => Effect.Effect<ReadonlyArray<SharedPayment>, StoreUnavailable>
  readonly sharedIntents: (range: MonthRange) => Effect.Effect<ReadonlyArray<SharedPayment>, StoreUnavailable>
  /** Settled rows of the month after `afterId`, id order. */
  readonly settledPage: (range: MonthRange, afterId: string | undefined, limit: number) => Effect.Effect<ReadonlyArray<SettledPayment>, StoreUnavailable>
  /** Keys whose counters for the month, or whose settled calls' day counters per agent, differ from what their rows say (each read in one snapshot). */
  readonly counterMismatches: (range: MonthRange) => Effect.Effect<ReadonlyArray<CounterMismatch>, StoreUnavailable>
  /** Users whose billing counters for the month differ from their live settled rows (read in one snapshot). */
  readonly billingCounterMismatches: (range: MonthRange) => Effect.Effect<ReadonlyArray<BillingCounterMismatch>, StoreUnavailable>
  /** Failed rows of the month that kept a signature, after `afterId`, id order. */
  readonly failedSignedPage: (range: MonthRange, afterId: string | undefined, limit: number) => Effect.Effect<ReadonlyArray<SettledPayment>, StoreUnavailable>
  /** Rows Stripe refused or dropped (flagged) in the month. */
  readonly flagged: (range: MonthRange) => Effect.Effect<ReadonlyArray<StripeRow>, StoreUnavailable>
  /** Billable settled rows still unreported that settled before `settledBefore`. */
  readonly overdueReports: (range: MonthRange, settledBefore: number) => Effect.Effect<ReadonlyArray<StripeRow>, StoreUnavailable>
}

// The Stripe usage outbox: settled usage rows whose stripe_state is 'pending'.
// A reporter leases users (one reporter per customer at a time), writes each
// user's rows into meter batches (one meter event each, the batch id its
// identifier), sends them, and marks a batch's rows 'reported' (Stripe
// accepted it) or 'flagged' (Stripe never will; the operator decides).
// Rows of a batch Stripe has not taken yet stay pending with their batch
// written, and are resent as that same batch.
import type { Effect } from "effect"
import type { StoreUnavailable } from "../../platform/db/errors"

export type LeaseInput = {
  /** Id of the leasing reporter instance. */
  readonly owner: string
  /** epoch ms */
  readonly now: number
  /** How long the lease holds, ms; a crashed reporter's users are taken over after it. */
  readonly leaseMs: number
  /** Users leased at most. */
  readonly limit: number
}

/** A user whose pending rows this reporter now serves. */
export type LeasedUser = {
  readonly userId: string
  readonly stripeCustomerId: string | null
}

export type OpenBatchInput = {
  /** The new batch's id: the meter event's identifier. */
  readonly id: string
  readonly userId: string
  /** The calls' time range, epoch ms: `from` included, `to` excluded. */
  readonly from: number
  readonly to: number
}

/**
 * A user's pending rows: a batch already written (a pass died before Stripe
 * took it), or a time bucket (floor(created_at / spanMs)) of rows no batch
 * carries yet; with the first call's time, epoch ms.
 */
export type PendingWork =
  | { readonly kind: "written"; readonly batchId: string; readonly firstAt: number }
  | { readonly kind: "fresh"; readonly bucket: number; readonly firstAt: number }

/** A meter batch as written on its rows: what its one meter event says. */
export type MeterBatch = {
  readonly id: string
  readonly rows: number
  /** The event's value, micro-USD. */
  readonly microUsd: number
  /** The first row's time, epoch ms: the event's timestamp. */
  readonly firstAt: number
}

/** Rows handed to the operator, and what they were worth. */
export type FlaggedRows = { readonly rows: number; readonly microUsd: number }

export const toFlaggedRows = (rows: ReadonlyArray<{ developer_price_micro_usd: number | string }>): FlaggedRows => ({
  rows: rows.length,
  microUsd: rows.reduce((sum, r) => sum + Number(r.developer_price_micro_usd), 0),
})

export interface OutboxRepo {
  /**
   * Leases up to `limit` users with pending rows, least recently served
   * first, never one another owner holds: one customer's events are sent by
   * one reporter at a time.
   */
  readonly lease: (input: LeaseInput) => Effect.Effect<ReadonlyArray<LeasedUser>, StoreUnavailable>
  /** What waits for Stripe of the user's, oldest first (see PendingWork). */
  readonly pendingWork: (userId: string, spanMs: number) => Effect.Effect<ReadonlyArray<PendingWork>, StoreUnavailable>
  /**
   * Writes a new batch onto the user's pending rows of the range that no
   * batch carries yet and returns it as written (0 rows: nothing to send).
   */
  readonly openBatch: (input: OpenBatchInput) => Effect.Effect<MeterBatch, StoreUnavailable>
  /** A batch as written earlier (a resend after a crash sends exactly this). */
  readonly batch: (id: string) => Effect.Effect<MeterBatch, StoreUnavailable>
  /** Stripe accepted the batch's event: its pending rows become reported. */
  readonly markBatchReported: (batchId: string, now: number) => Effect.Effect<void, StoreUnavailable>
  /** Stripe will never take the batch's event: its pending rows go to the operator. */
  readonly flagBatch: (batchId: string, reason: string) => Effect.Effect<FlaggedRows, StoreUnavailable>
  /**
   * Pending rows of the user that cannot be sent go to the operator: with no
   * customer, all of them (written batches too); too old, the unbatched ones
   * before `before`.
   */
  readonly flagUnsendable: (userId: string, reason: string, before?: number) => Effect.Effect<FlaggedRows, StoreUnavailable>
  /** Ends the owner's leases (its users are free for the next pass, or another reporter). */
  readonly release: (owner: string, now: number) => Effect.Effect<void, StoreUnavailable>
}

export const toMeterBatch = (id: string, rows: ReadonlyArray<{ developer_price_micro_usd: number | string; created_at: number | string }>): MeterBatch => {
  let microUsd = 0
  let firstAt = Number.POSITIVE_INFINITY
  for (const r of rows) {
    microUsd += Number(r.developer_price_micro_usd)
    firstAt = Math.min(firstAt, Number(r.created_at))
  }
  return { id, rows: rows.length, microUsd, firstAt: rows.length === 0 ? 0 : firstAt }
}

// The Stripe usage outbox: settled usage rows whose stripe_state is 'pending'.
// A reporter claims rows under a lease, writes each customer's rows into
// meter batches (one meter event each, the batch id its identifier), sends
// them, and marks a batch's rows 'reported' (Stripe accepted it) or 'flagged'
// (Stripe never will; the operator decides), or releases rows for a later pass.
import type { Effect } from "effect"
import type { StoreUnavailable } from "../../platform/db/errors"

export type OutboxRow = {
  readonly id: string
  readonly userId: string
  readonly stripeCustomerId: string | null
  /** micro-USD */
  readonly developerPriceMicroUsd: number
  /** Time of the call, epoch ms. */
  readonly createdAt: number
  /** The meter batch already written on the row (a pass died before Stripe took it), or null. */
  readonly batchId: string | null
}

export type ClaimInput = {
  /** Id of the claiming reporter instance. */
  readonly owner: string
  /** epoch ms */
  readonly now: number
  /** How long the claim holds, ms; a crashed reporter's rows are claimable again after it. */
  readonly leaseMs: number
  readonly limit: number
}

export type OpenBatchInput = {
  /** The new batch's id: the meter event's identifier. */
  readonly id: string
  readonly owner: string
  readonly userId: string
  /** The calls' time range, epoch ms, both ends included. */
  readonly from: number
  readonly to: number
}

/** A meter batch as written on its rows: what its one meter event says. */
export type MeterBatch = {
  readonly id: string
  readonly rows: number
  /** The event's value, micro-USD. */
  readonly microUsd: number
  /** The first row's time, epoch ms: the event's timestamp. */
  readonly firstAt: number
}

export interface OutboxRepo {
  /**
   * Leases up to `limit` pending rows, oldest first, never a row another
   * owner holds, and never a row of a user whose other rows another owner
   * holds: one customer's events are sent by one reporter at a time.
   */
  readonly claim: (input: ClaimInput) => Effect.Effect<ReadonlyArray<OutboxRow>, StoreUnavailable>
  /**
   * Writes a new batch onto the user's leased, unbatched rows of the range and
   * returns it as written (0 rows: nothing to send).
   */
  readonly openBatch: (input: OpenBatchInput) => Effect.Effect<MeterBatch, StoreUnavailable>
  /** A batch as written earlier (a resend after a crash sends exactly this). */
  readonly batch: (id: string) => Effect.Effect<MeterBatch, StoreUnavailable>
  /** Stripe accepted the batch's event: its pending rows become reported. */
  readonly markBatchReported: (batchId: string, now: number) => Effect.Effect<void, StoreUnavailable>
  /** Stripe will never take the batch's event: its pending rows go to the operator. */
  readonly flagBatch: (batchId: string, reason: string) => Effect.Effect<void, StoreUnavailable>
  /** Rows that cannot be sent at all (no customer, too old): to the operator. */
  readonly flagRows: (ids: ReadonlyArray<string>, reason: string) => Effect.Effect<void, StoreUnavailable>
  /** Gives back every row the owner still holds (still pending, batch kept) for a later pass. */
  readonly release: (owner: string) => Effect.Effect<void, StoreUnavailable>
}

type RawRow = { id: string; user_id: string; developer_price_micro_usd: number | string; created_at: number | string; stripe_batch_id: string | null }

export const toOutboxRows = (rows: ReadonlyArray<RawRow>, customers: ReadonlyMap<string, string | null>): Array<OutboxRow> =>
  rows
    .map((r) => ({
      id: r.id,
      userId: r.user_id,
      stripeCustomerId: customers.get(r.user_id) ?? null,
      developerPriceMicroUsd: Number(r.developer_price_micro_usd),
      createdAt: Number(r.created_at),
      batchId: r.stripe_batch_id ?? null,
    }))
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))

export const toMeterBatch = (id: string, row: { rows: number | string; micro_usd: number | string; first_at: number | string | null } | undefined): MeterBatch => ({
  id,
  rows: Number(row?.rows ?? 0),
  microUsd: Number(row?.micro_usd ?? 0),
  firstAt: Number(row?.first_at ?? 0),
})

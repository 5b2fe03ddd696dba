// The Stripe usage outbox: settled usage rows whose stripe_state is 'pending'.
// A reporter claims rows under a lease, reports them, and marks each one
// 'reported' (Stripe accepted it) or 'flagged' (Stripe never will; the
// operator decides), or releases it for a later pass.
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

export interface OutboxRepo {
  /**
   * Leases up to `limit` pending rows, oldest first, never a row another
   * owner holds, and never a row of a user whose other rows another owner
   * holds: one customer's events are sent by one reporter at a time.
   */
  readonly claim: (input: ClaimInput) => Effect.Effect<ReadonlyArray<OutboxRow>, StoreUnavailable>
  readonly markReported: (ids: ReadonlyArray<string>, now: number) => Effect.Effect<void, StoreUnavailable>
  readonly markFlagged: (id: string, reason: string) => Effect.Effect<void, StoreUnavailable>
  /** Gives rows back (still pending) so a later pass retries them. */
  readonly release: (ids: ReadonlyArray<string>, owner: string) => Effect.Effect<void, StoreUnavailable>
}

type RawRow = { id: string; user_id: string; developer_price_micro_usd: number | string; created_at: number | string }

export const toOutboxRows = (rows: ReadonlyArray<RawRow>, customers: ReadonlyMap<string, string | null>): Array<OutboxRow> =>
  rows
    .map((r) => ({
      id: r.id,
      userId: r.user_id,
      stripeCustomerId: customers.get(r.user_id) ?? null,
      developerPriceMicroUsd: Number(r.developer_price_micro_usd),
      createdAt: Number(r.created_at),
    }))
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))

// The Stripe outbox over the dialect port. Leases are per user: a candidate
// list read from the billing counters, then one upsert that takes only the
// users no other owner holds (its conflict clause decides, row by row, under
// the row's lock on Postgres), so several gateway instances may drain one
// outbox without a lock held across statements. The Stripe calls run outside
// any transaction, under the lease.
import { inArray, type SQL } from "drizzle-orm"
import { Effect } from "effect"
import type { SqlPort } from "../port"
import { toFlaggedRows, toMeterBatch, type OutboxRepo, type PendingWork } from "./repo"
import {
  batchRowsStatement,
  flagBatchStatement,
  flagUnsendableStatement,
  leaseCandidatesStatement,
  lockCountersStatement,
  markBatchReportedStatement,
  openBatchStatement,
  releaseStatement,
  takeLeasesStatement,
  pendingWorkStatement,
} from "./statements"

/** See lockCountersStatement: Postgres only (SQLite has one writer). */
export const lockCounters = (tx: SqlPort, rows: SQL) => tx.onDialect({ sqlite: () => Effect.void, postgres: () => tx.run(lockCountersStatement(rows)) })

type PriceOnly = { developer_price_micro_usd: number | string }
type PriceAndTime = { developer_price_micro_usd: number | string; created_at: number | string }

export const sqlOutbox = (port: SqlPort): OutboxRepo => {
  const { db, t, run, all } = port
  // See lockCountersStatement: Postgres only (SQLite has one writer).
  const lockCountersFirst = port.onDialect({ sqlite: () => false, postgres: () => true })
  return {
    lease: (input) =>
      Effect.gen(function* () {
        const candidates = (yield* all<{ user_id: string }>(leaseCandidatesStatement(input))).map((r) => r.user_id)
        if (candidates.length === 0) return []
        const taken = (yield* all<{ user_id: string }>(takeLeasesStatement(candidates, input))).map((r) => r.user_id)
        if (taken.length === 0) return []
        const customers = yield* all(db.select({ id: t.users.id, customer: t.users.stripeCustomerId }).from(t.users).where(inArray(t.users.id, taken)))
        const byId = new Map(customers.map((c) => [c.id, c.customer]))
        return taken.map((userId) => ({ userId, stripeCustomerId: byId.get(userId) ?? null }))
      }),
    pendingWork: (userId, spanMs) =>
      Effect.map(all<{ batch_id: string | null; bucket: number | string | null; first_at: number | string }>(pendingWorkStatement(userId, spanMs)), (rows) =>
        rows.map((r): PendingWork => (r.batch_id === null ? { kind: "fresh", bucket: Number(r.bucket), firstAt: Number(r.first_at) } : { kind: "written", batchId: r.batch_id, firstAt: Number(r.first_at) })),
      ),
    openBatch: (input) => Effect.map(all<PriceAndTime>(openBatchStatement(input)), (rows) => toMeterBatch(input.id, rows)),
    batch: (id) => Effect.map(all<PriceAndTime>(batchRowsStatement(id)), (rows) => toMeterBatch(id, rows)),
    markBatchReported: (batchId, now) => run(markBatchReportedStatement(batchId, now, { lockCountersFirst })),
    flagBatch: (batchId, reason) => Effect.map(all<PriceOnly>(flagBatchStatement(batchId, reason, { lockCountersFirst })), toFlaggedRows),
    flagUnsendable: (userId, reason, before) => Effect.map(all<PriceOnly>(flagUnsendableStatement(userId, reason, before, { lockCountersFirst })), toFlaggedRows),
    release: (owner, now) => run(releaseStatement(owner, now)),
  }
}

// The Stripe outbox over the dialect port. SQLite has one writer at a time,
// so the claiming UPDATE is atomic on its own. On Postgres several gateway
// instances may drain one outbox: the claim transaction takes a
// transaction-scoped advisory lock, so claims run one at a time and the "no
// other owner holds this user's rows" check is exact (it would race under
// plain row locks, since it reads rows it does not lock); claims are one short
// statement, so the lock costs nothing noticeable, and the Stripe calls run
// outside it, under the lease. FOR UPDATE SKIP LOCKED keeps the claim from
// waiting on rows a concurrent mark/release is updating.
import { and, eq, inArray, sql, type SQL } from "drizzle-orm"
import { Effect } from "effect"
import type { SqlPort } from "../port"
import { toMeterBatch, toOutboxRows, type OutboxRepo } from "./repo"
import { claimStatement, describeBatchStatement, flagBatchStatement, flagRowsStatement, lockCountersStatement, markBatchReportedStatement, openBatchStatement } from "./statements"

/** See lockCountersStatement: Postgres only (SQLite has one writer). */
export const lockCounters = (tx: SqlPort, rows: SQL) => tx.onDialect({ sqlite: () => Effect.void, postgres: () => tx.run(lockCountersStatement(rows)) })

const CLAIM_LOCK = sql`select pg_advisory_xact_lock(hashtext('tdk.stripe_outbox.claim'))`

type Claimed = { id: string; user_id: string; developer_price_micro_usd: number | string; created_at: number | string; stripe_batch_id: string | null }
type Described = { rows: number | string; micro_usd: number | string; first_at: number | string | null }

export const sqlOutbox = (port: SqlPort): OutboxRepo => {
  const { db, t, run, all } = port
  // See lockCountersStatement: Postgres only (SQLite has one writer).
  const lockCountersFirst = port.onDialect({ sqlite: () => false, postgres: () => true })
  const describe = (id: string, via: SqlPort = port) => Effect.map(via.all<Described>(describeBatchStatement(id)), (rows) => toMeterBatch(id, rows[0]))
  return {
    claim: (input) =>
      port.transaction((tx) =>
        Effect.gen(function* () {
          const skipLocked = tx.onDialect({ sqlite: () => false, postgres: () => true })
          if (skipLocked) yield* tx.run(CLAIM_LOCK)
          const rows = yield* tx.all<Claimed>(claimStatement(input, { skipLocked }))
          const userIds = [...new Set(rows.map((r) => r.user_id))]
          const customers = userIds.length === 0 ? [] : yield* tx.all(tx.db.select({ id: tx.t.users.id, customer: tx.t.users.stripeCustomerId }).from(tx.t.users).where(inArray(tx.t.users.id, userIds)))
          return toOutboxRows(rows, new Map(customers.map((c) => [c.id, c.customer])))
        }),
      ),
    openBatch: (input) =>
      port.transaction((tx) =>
        Effect.gen(function* () {
          yield* tx.run(openBatchStatement(input))
          return yield* describe(input.id, tx)
        }),
      ),
    batch: (id) => describe(id),
    markBatchReported: (batchId, now) => run(markBatchReportedStatement(batchId, now, { lockCountersFirst })),
    flagBatch: (batchId, reason) => Effect.asVoid(all(flagBatchStatement(batchId, reason, { lockCountersFirst }))),
    flagRows: (ids, reason) => (ids.length === 0 ? Effect.void : Effect.asVoid(all(flagRowsStatement(ids, reason, { lockCountersFirst })))),
    release: (owner) => run(db.update(t.usage).set({ stripeLeaseOwner: null, stripeLeaseUntil: null }).where(and(eq(t.usage.stripeLeaseOwner, owner), eq(t.usage.stripeState, "pending")))),
  }
}

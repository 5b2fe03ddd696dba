// The Stripe outbox over the dialect port. SQLite has one writer at a time,
// so the claiming UPDATE is atomic on its own. On Postgres several gateway
// instances may drain one outbox: the claim transaction takes a
// transaction-scoped advisory lock, so claims run one at a time and the "no
// other owner holds this user's rows" check is exact (it would race under
// plain row locks, since it reads rows it does not lock); claims are one short
// statement, so the lock costs nothing noticeable, and the Stripe calls run
// outside it, under the lease. FOR UPDATE SKIP LOCKED keeps the claim from
// waiting on rows a concurrent mark/release is updating.
import { and, eq, inArray, sql } from "drizzle-orm"
import { Effect } from "effect"
import type { SqlPort } from "../port"
import { toOutboxRows, type OutboxRepo } from "./repo"
import { claimStatement, flagStatement, lockCountersStatement, markReportedStatement } from "./statements"

/** See lockCountersStatement: Postgres only (SQLite has one writer). */
export const lockCounters = (tx: SqlPort, ids: ReadonlyArray<string>) =>
  ids.length === 0 ? Effect.void : tx.onDialect({ sqlite: () => Effect.void, postgres: () => tx.run(lockCountersStatement(ids)) })

const CLAIM_LOCK = sql`select pg_advisory_xact_lock(hashtext('tdk.stripe_outbox.claim'))`

type Claimed = { id: string; user_id: string; developer_price_micro_usd: number | string; created_at: number | string }

export const sqlOutbox = (port: SqlPort): OutboxRepo => {
  const { db, t, run } = port
  // See lockCountersStatement: Postgres only (SQLite has one writer).
  const onPostgres = port.onDialect({ sqlite: () => false, postgres: () => true })
  return {
    claim: (input) =>
      port.transaction((tx) =>
        Effect.gen(function* () {
          const skipLocked = tx.onDialect({ sqlite: () => false, postgres: () => true })
          if (skipLocked) yield* tx.run(CLAIM_LOCK)
          const rows = yield* tx.all<Claimed>(claimStatement(input, { skipLocked }))
          const userIds = [...new Set(rows.map((r) => r.user_id))]
          const customers = userIds.length === 0 ? [] : yield* tx.all(tx.db.select({ id: tx.t.users.id, customer: tx.t.users.stripeCustomerId }).from(tx.t.users).where(inArray(tx.t.users.id, userIds)))
          return toOutboxRows([...rows] as never, new Map(customers.map((c) => [c.id, c.customer])))
        }),
      ),
    markReported: (ids, now) => (ids.length === 0 ? Effect.void : run(markReportedStatement(ids, now, { lockCountersFirst: onPostgres }))),
    markFlagged: (id, reason) => run(flagStatement(id, reason, ["pending"], { lockCountersFirst: onPostgres })),
    release: (ids, owner) =>
      ids.length === 0
        ? Effect.void
        : run(db.update(t.usage).set({ stripeLeaseOwner: null, stripeLeaseUntil: null }).where(and(inArray(t.usage.id, [...ids]), eq(t.usage.stripeLeaseOwner, owner), eq(t.usage.stripeState, "pending")))),
  }
}

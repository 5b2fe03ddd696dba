import { and, eq, inArray, sql } from "drizzle-orm"
import type { SqliteDb } from "../../platform/db/database"
import { usage, users } from "../../platform/db/schema.sqlite"
import { attempt } from "../tx"
import { toOutboxRows, type OutboxRepo } from "./repo"

// SQLite has one writer at a time, so the claiming UPDATE is atomic on its own.
export const sqliteOutbox = (db: SqliteDb): OutboxRepo => ({
  claim: ({ owner, now, leaseMs, limit }) =>
    attempt(() =>
      db.transaction((tx) => {
        const rows = tx.all<{ id: string; user_id: string; developer_price_micro_usd: number; created_at: number }>(sql`
          update usage set stripe_lease_owner = ${owner}, stripe_lease_until = ${now + leaseMs}
          where id in (
            select id from usage
            where stripe_state = 'pending' and state = 'settled'
              and (stripe_lease_until is null or stripe_lease_until < ${now} or stripe_lease_owner = ${owner})
              and user_id not in (
                select user_id from usage
                where stripe_state = 'pending' and stripe_lease_until >= ${now} and stripe_lease_owner <> ${owner})
            order by created_at, id
            limit ${limit})
          returning id, user_id, developer_price_micro_usd, created_at`)
        const userIds = [...new Set(rows.map((r) => r.user_id))]
        const customers = userIds.length === 0 ? [] : tx.select({ id: users.id, customer: users.stripeCustomerId }).from(users).where(inArray(users.id, userIds)).all()
        return toOutboxRows(rows, new Map(customers.map((c) => [c.id, c.customer])))
      }, { behavior: "immediate" }),
    ),
  markReported: (ids, now) =>
    attempt(() => {
      if (ids.length === 0) return
      db.update(usage)
        .set({ stripeState: "reported", stripeReportedAt: now, stripeLeaseOwner: null, stripeLeaseUntil: null })
        .where(and(inArray(usage.id, [...ids]), eq(usage.stripeState, "pending")))
        .run()
    }),
  markFlagged: (id, reason) =>
    attempt(() => {
      db.update(usage)
        .set({ stripeState: "flagged", stripeError: reason.slice(0, 500), stripeLeaseOwner: null, stripeLeaseUntil: null })
        .where(and(eq(usage.id, id), eq(usage.stripeState, "pending")))
        .run()
    }),
  release: (ids, owner) =>
    attempt(() => {
      if (ids.length === 0) return
      db.update(usage)
        .set({ stripeLeaseOwner: null, stripeLeaseUntil: null })
        .where(and(inArray(usage.id, [...ids]), eq(usage.stripeLeaseOwner, owner), eq(usage.stripeState, "pending")))
        .run()
    }),
})

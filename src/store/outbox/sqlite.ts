import { and, eq, inArray } from "drizzle-orm"
import type { SqliteDb } from "../../platform/db/database"
import { usage, users } from "../../platform/db/schema.sqlite"
import { attempt } from "../tx"
import { toOutboxRows, type OutboxRepo } from "./repo"
import { claimStatement, flagStatement } from "./statements"

// SQLite has one writer at a time, so the claiming UPDATE is atomic on its own.
export const sqliteOutbox = (db: SqliteDb): OutboxRepo => ({
  claim: (input) =>
    attempt(() =>
      db.transaction((tx) => {
        const rows = tx.all<{ id: string; user_id: string; developer_price_micro_usd: number; created_at: number }>(claimStatement(input, { skipLocked: false }))
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
  markFlagged: (id, reason) => attempt(() => void db.all(flagStatement(id, reason, ["pending"]))),
  release: (ids, owner) =>
    attempt(() => {
      if (ids.length === 0) return
      db.update(usage)
        .set({ stripeLeaseOwner: null, stripeLeaseUntil: null })
        .where(and(inArray(usage.id, [...ids]), eq(usage.stripeLeaseOwner, owner), eq(usage.stripeState, "pending")))
        .run()
    }),
})

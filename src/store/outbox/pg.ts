import { and, eq, inArray, sql } from "drizzle-orm"
import type { PgDb } from "../../platform/db/database"
import { usage, users } from "../../platform/db/schema.pg"
import { attempt } from "../tx"
import { toOutboxRows, type OutboxRepo } from "./repo"
import { claimStatement, flagStatement } from "./statements"

// Claims on Postgres: several gateway instances may drain one outbox. The
// claim transaction takes a transaction-scoped advisory lock, so claims run
// one at a time and the "no other owner holds this user's rows" check is
// exact (it would race under plain row locks, since it reads rows it does not
// lock). Claims are one short statement, so the lock costs nothing
// noticeable; the Stripe calls themselves run outside it, under the lease.
// FOR UPDATE SKIP LOCKED keeps the claim from waiting on rows a concurrent
// mark/release is updating.
const CLAIM_LOCK = sql`select pg_advisory_xact_lock(hashtext('tdk.stripe_outbox.claim'))`

export const pgOutbox = (db: PgDb): OutboxRepo => ({
  claim: (input) =>
    attempt(() =>
      db.transaction(async (tx) => {
        await tx.execute(CLAIM_LOCK)
        const rows = await tx.execute<{ id: string; user_id: string; developer_price_micro_usd: string; created_at: string }>(claimStatement(input, { skipLocked: true }))
        const list = [...rows]
        const userIds = [...new Set(list.map((r) => r.user_id))]
        const customers = userIds.length === 0 ? [] : await tx.select({ id: users.id, customer: users.stripeCustomerId }).from(users).where(inArray(users.id, userIds))
        return toOutboxRows(list, new Map(customers.map((c) => [c.id, c.customer])))
      }),
    ),
  markReported: (ids, now) =>
    attempt(async () => {
      if (ids.length === 0) return
      await db.update(usage)
        .set({ stripeState: "reported", stripeReportedAt: now, stripeLeaseOwner: null, stripeLeaseUntil: null })
        .where(and(inArray(usage.id, [...ids]), eq(usage.stripeState, "pending")))
    }),
  markFlagged: (id, reason) => attempt(async () => void (await db.execute(flagStatement(id, reason, ["pending"])))),
  release: (ids, owner) =>
    attempt(async () => {
      if (ids.length === 0) return
      await db.update(usage)
        .set({ stripeLeaseOwner: null, stripeLeaseUntil: null })
        .where(and(inArray(usage.id, [...ids]), eq(usage.stripeLeaseOwner, owner), eq(usage.stripeState, "pending")))
    }),
})

import { and, eq, gte, inArray, lt, or, sql } from "drizzle-orm"
import type { SqliteDb } from "../../platform/db/database"
import { usage } from "../../platform/db/schema.sqlite"
import { fixedInsert } from "../sqlite-insert"
import { attempt } from "../tx"
import type { NewUsage, UsageRepo } from "./repo"
import { historyWhere, newestFirst } from "./where"

const open = inArray(usage.state, ["pending", "unknown"])

// Every agent call writes a pending row and then settles (or fails) it: these
// run as cached bun:sqlite statements (see src/store/keys/sqlite.ts).
// `changes` says whether an open row was updated (no trigger writes to usage).
const insertRow = fixedInsert<NewUsage>(usage, "usage")
const settleOpen = `update "usage" set "state" = 'settled', "tx_signature" = ?, "receipt_id" = ?, "settled_at" = ?, "stripe_state" = ?, "error" = null where "id" = ? and "state" in ('pending', 'unknown')`
const failOpen = `update "usage" set "state" = 'failed', "error" = ? where "id" = ? and "state" in ('pending', 'unknown')`

export const sqliteUsage = (db: SqliteDb): UsageRepo => ({
  insertPending: (row) => attempt(() => void db.$client.query(insertRow.sql).run(...insertRow.values(row))),
  settle: (id, s) => attempt(() => db.$client.query(settleOpen).run(s.txSignature, s.receiptId, s.settledAt, s.stripeState, id).changes === 1),
  fail: (id, error) => attempt(() => db.$client.query(failOpen).run(error, id).changes === 1),
  markUnknown: (id, d) => attempt(() => void db.update(usage).set({ state: "unknown", txSignature: d.txSignature, error: d.error }).where(and(eq(usage.id, id), open)).run()),
  unresolved: (staleBefore, limit) =>
    attempt(() => db.select().from(usage).where(or(eq(usage.state, "unknown"), and(eq(usage.state, "pending"), lt(usage.createdAt, staleBefore)))).limit(limit).all()),
  findById: (id) => attempt(() => db.select().from(usage).where(eq(usage.id, id)).get()),
  history: (q) => attempt(() => db.select().from(usage).where(historyWhere(usage, q)).orderBy(newestFirst(usage)).limit(q.limit).all()),
  totalsByAgent: (keyId, from, to) =>
    attempt(() =>
      db
        .select({ agentId: usage.agentId, agentName: sql<string>`max(${usage.agentName})`, ops: sql<number>`count(*)`, spendMicroUsd: sql<number>`coalesce(sum(${usage.developerPriceMicroUsd}), 0)` })
        .from(usage)
        .where(and(eq(usage.keyId, keyId), eq(usage.state, "settled"), gte(usage.createdAt, from), lt(usage.createdAt, to)))
        .groupBy(usage.agentId)
        .all()
        .map((r) => ({ ...r, ops: Number(r.ops), spendMicroUsd: Number(r.spendMicroUsd) })),
    ),
})

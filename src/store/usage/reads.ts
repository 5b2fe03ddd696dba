// The usage rows' reads and the one write that needs no lock, written once
// over the dialect port. The money path (record, release, settle)
// stays per dialect (sqlite.ts, pg.ts), where the difference is real.
import { and, desc, eq, gt, gte, inArray, lt, lte, ne, or, sql } from "drizzle-orm"
import { Effect } from "effect"
import { periodDays } from "../../platform/period"
import type { SqlPort } from "../port"
import type { AgentTotal, DailyTotal, HistoryQuery, UsageRepo } from "./repo"

export type UsageReads = Pick<UsageRepo, "markUnknown" | "unresolved" | "findById" | "findByRequestId" | "history" | "totalsByAgent" | "daily" | "gauges">

export const usageReads = ({ db, t, all, first, run }: SqlPort): UsageReads => {
  const u = t.usage
  const open = inArray(u.state, ["pending", "unknown"])
  return {
    markUnknown: (id, d) => run(db.update(u).set({ state: "unknown", txSignature: d.txSignature, error: d.error }).where(and(eq(u.id, id), open))),
    // Open rows for the reconciler, after `afterId` in id order: unknown at any age, reserved and pending once stale.
    unresolved: (staleBefore, limit, afterId) =>
      all(
        db
          .select()
          .from(u)
          .where(and(or(eq(u.state, "unknown"), and(inArray(u.state, ["reserved", "pending"]), lt(u.createdAt, staleBefore))), afterId === undefined ? undefined : gt(u.id, afterId)))
          .orderBy(u.id)
          .limit(limit),
      ),
    findById: (id) => first(db.select().from(u).where(eq(u.id, id)).limit(1)),
    gauges: (period) =>
      Effect.gen(function* () {
        const byState = yield* all(db.select({ state: u.state, n: sql<number>`count(*)` }).from(u).where(inArray(u.state, ["pending", "unknown", "failed"])).groupBy(u.state))
        const b = t.billingUsage
        const settled = yield* all(db.select({ n: sql<number>`coalesce(sum(${b.settledOps}), 0)` }).from(b).where(eq(b.period, period)))
        // Only users with rows waiting: billing_usage_pending_idx.
        const waiting = yield* all(db.select({ n: sql<number>`coalesce(sum(${b.pendingRows}), 0)` }).from(b).where(gt(b.pendingRows, 0)))
        const oldest = yield* all(db.select({ at: sql<number | null>`min(${u.createdAt})` }).from(u).where(eq(u.stripeState, "pending")))
        const oldestUnknown = yield* all(db.select({ at: sql<number | null>`min(${u.createdAt})` }).from(u).where(eq(u.state, "unknown")))
        const epoch = (v: number | null | undefined) => (v === null || v === undefined ? null : Number(v))
        const count = (state: string) => Number(byState.find((r) => r.state === state)?.n ?? 0)
        return {
          pending: count("pending"),
          unknown: count("unknown"),
          failed: count("failed"),
          settledThisMonth: Number(settled[0]?.n ?? 0),
          outboxPending: Number(waiting[0]?.n ?? 0),
          outboxOldestAt: epoch(oldest[0]?.at),
          unknownOldestAt: epoch(oldestUnknown[0]?.at),
        }
      }),
    // Equality on (request_id, user_id) and the order on id: usage_request_id_idx read backwards.
    findByRequestId: (requestId, viewer) =>
      first(
        db
          .select()
          .from(u)
          .where(and(eq(u.requestId, requestId), eq(u.userId, viewer.userId), viewer.keyId !== undefined ? eq(u.keyId, viewer.keyId) : undefined, ne(u.state, "reserved")))
          .orderBy(desc(u.id))
          .limit(1),
      ),
    history: (q: HistoryQuery) =>
      all(
        db
          .select()
          .from(u)
          .where(
            and(
              // A reserved row is a call not yet priced nor paid: history shows calls from their payment on.
              ne(u.state, "reserved"),
              q.keyId !== undefined ? eq(u.keyId, q.keyId) : undefined,
              q.userId !== undefined ? eq(u.userId, q.userId) : undefined,
              q.agentId !== undefined ? eq(u.agentId, q.agentId) : undefined,
              q.from !== undefined ? gte(u.createdAt, q.from) : undefined,
              q.to !== undefined ? lt(u.createdAt, q.to) : undefined,
              q.before !== undefined ? lt(u.id, q.before) : undefined,
            ),
          )
          .orderBy(desc(u.id))
          .limit(q.limit),
      ),
    totalsByAgent: (keyId, period) => {
      const d = t.usageAgentDays
      const { first: firstDay, last: lastDay } = periodDays(period)
      return all(
        db
          .select({ agentId: d.agentId, agentName: sql<string>`max(${d.agentName})`, ops: sql<number>`sum(${d.calls})`, spendMicroUsd: sql<number>`sum(${d.spendMicroUsd})` })
          .from(d)
          .where(and(eq(d.keyId, keyId), gte(d.day, firstDay), lte(d.day, lastDay)))
          .groupBy(d.agentId)
          // A counter whose calls all went (a repaired row) stays as a zero.
          .having(sql`sum(${d.calls}) > 0`),
      ).pipe(Effect.map((rows): ReadonlyArray<AgentTotal> => rows.map((r) => ({ ...r, ops: Number(r.ops), spendMicroUsd: Number(r.spendMicroUsd) }))))
    },
    daily: (scope, fromDay, toDay) => {
      const d = t.usageAgentDays
      return all(
        db
          .select({ day: d.day, agentId: d.agentId, agentName: sql<string>`max(${d.agentName})`, calls: sql<number>`sum(${d.calls})`, spendMicroUsd: sql<number>`sum(${d.spendMicroUsd})` })
          .from(d)
          .where(and("keyId" in scope ? eq(d.keyId, scope.keyId) : eq(d.userId, scope.userId), gte(d.day, fromDay), lte(d.day, toDay)))
          .groupBy(d.day, d.agentId)
          .having(sql`sum(${d.calls}) > 0`)
          .orderBy(d.day, d.agentId),
      ).pipe(Effect.map((rows): ReadonlyArray<DailyTotal> => rows.map((r) => ({ ...r, calls: Number(r.calls), spendMicroUsd: Number(r.spendMicroUsd) }))))
    },
  }
}

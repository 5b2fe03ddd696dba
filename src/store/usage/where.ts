// The history filter, shared by both dialects (drizzle's condition builders
// are dialect-neutral; only the column objects differ).
import { and, desc, eq, gt, gte, inArray, lt, ne, or, type AnyColumn, type SQL } from "drizzle-orm"
import type { HistoryQuery } from "./repo"

type Cols = { readonly [K in "id" | "keyId" | "userId" | "agentId" | "createdAt" | "state"]: AnyColumn }

export const historyWhere = (t: Cols, q: HistoryQuery): SQL | undefined =>
  and(
    // A reserved row is a call not yet priced nor paid: history shows calls from their payment on.
    ne(t.state, "reserved"),
    q.keyId !== undefined ? eq(t.keyId, q.keyId) : undefined,
    q.userId !== undefined ? eq(t.userId, q.userId) : undefined,
    q.agentId !== undefined ? eq(t.agentId, q.agentId) : undefined,
    q.from !== undefined ? gte(t.createdAt, q.from) : undefined,
    q.to !== undefined ? lt(t.createdAt, q.to) : undefined,
    q.before !== undefined ? lt(t.id, q.before) : undefined,
  )

export const newestFirst = (t: Cols) => desc(t.id)

/** Open rows for the reconciler, after `afterId` in id order: unknown at any age, reserved and pending once stale. */
export const unresolvedWhere = (t: Cols, staleBefore: number, afterId: string | undefined): SQL | undefined =>
  and(
    or(eq(t.state, "unknown"), and(inArray(t.state, ["reserved", "pending"]), lt(t.createdAt, staleBefore))),
    afterId === undefined ? undefined : gt(t.id, afterId),
  )

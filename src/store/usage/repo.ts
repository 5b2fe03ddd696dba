import type { Effect } from "effect"
import type { StoreUnavailable } from "../../platform/http/errors"
import type { usage } from "../../platform/db/schema.sqlite"

export type UsageRow = typeof usage.$inferSelect
export type NewUsage = typeof usage.$inferInsert

export type UsageState = "pending" | "settled" | "failed" | "unknown"

export type HistoryQuery = {
  readonly keyId?: string | undefined
  readonly userId?: string | undefined
  readonly agentId?: string | undefined
  /** [from, to) in epoch ms. */
  readonly from?: number | undefined
  readonly to?: number | undefined
  /** Cursor: rows with ids below this one (newest first). */
  readonly before?: string | undefined
  readonly limit: number
}

export type AgentTotal = { readonly agentId: string; readonly agentName: string; readonly ops: number; readonly spendMicroUsd: number }

export interface UsageRepo {
  readonly insertPending: (row: NewUsage) => Effect.Effect<void, StoreUnavailable>
  /** pending/unknown → settled. `false` if the row was already final. */
  readonly settle: (id: string, settled: { readonly txSignature: string; readonly receiptId: string | null; readonly settledAt: number; readonly stripeState: string }) => Effect.Effect<boolean, StoreUnavailable>
  /** pending/unknown → failed. `false` if the row was already final. */
  readonly fail: (id: string, error: string) => Effect.Effect<boolean, StoreUnavailable>
  readonly markUnknown: (id: string, detail: { readonly txSignature: string | null; readonly error: string }) => Effect.Effect<void, StoreUnavailable>
  /** Rows whose outcome is not known: `unknown`, or `pending` since before `staleBefore` (a crash mid-call). */
  readonly unresolved: (staleBefore: number, limit: number) => Effect.Effect<ReadonlyArray<UsageRow>, StoreUnavailable>
  readonly findById: (id: string) => Effect.Effect<UsageRow | undefined, StoreUnavailable>
  readonly history: (query: HistoryQuery) => Effect.Effect<ReadonlyArray<UsageRow>, StoreUnavailable>
  /** Settled calls of a key in [from, to), per agent. */
  readonly totalsByAgent: (keyId: string, from: number, to: number) => Effect.Effect<ReadonlyArray<AgentTotal>, StoreUnavailable>
}

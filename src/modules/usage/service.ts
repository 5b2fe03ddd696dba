// Reads of the usage ledger for the caller: the key's current month, the
// history of a key or of all a user's keys, and one call by its request id.
import { Clock, Effect } from "effect"
import { InvalidInput } from "../../platform/http/errors"
import { periodBounds, periodOf } from "../../platform/period"
import { Store } from "../../store/store"
import { resolveAgentId } from "../network/agents"
import { Networks } from "../network/service"
import { formatUsd } from "../gateway/money"
import type { KeyIdentity } from "../keys/identity"
import { parseDayRange } from "./days"
import { parseHistoryFilters, type HistoryParams } from "./filters"
import { UsageRequestNotFound } from "./errors"
import { requestUsageJson, usageRowJson } from "./model"
import type { Viewer } from "./viewer"

export const currentUsage = Effect.fn("Usage.current")(function* (identity: KeyIdentity) {
  const store = yield* Store
  const now = yield* Clock.currentTimeMillis
  const period = periodOf(now)
  const { start, end } = periodBounds(period)
  const totals = yield* store.periods.get(identity.keyId, period)
  const byAgent = yield* store.usage.totalsByAgent(identity.keyId, period)
  const { monthlyQuota: quota, monthlySpendCapMicroUsd: cap } = identity.limits
  const spendLeft = cap === null ? null : Math.max(cap - totals.spendMicroUsd, 0)
  return {
    key_id: identity.keyId,
    environment: identity.environment,
    period: { name: period, start: new Date(start).toISOString(), end: new Date(end).toISOString() },
    ops: totals.ops,
    spend_micro_usd: totals.spendMicroUsd,
    spend_usd: formatUsd(totals.spendMicroUsd),
    quota,
    quota_remaining: quota === null ? null : Math.max(quota - totals.ops, 0),
    spend_cap_micro_usd: cap,
    spend_cap_usd: cap === null ? null : formatUsd(cap),
    spend_remaining_micro_usd: spendLeft,
    spend_remaining_usd: spendLeft === null ? null : formatUsd(spendLeft),
    by_agent: [...byAgent]
      .sort((a, b) => b.spendMicroUsd - a.spendMicroUsd || a.agentId.localeCompare(b.agentId))
      .map((a) => ({ agent: { id: a.agentId, name: a.agentName }, ops: a.ops, spend_micro_usd: a.spendMicroUsd, spend_usd: formatUsd(a.spendMicroUsd) })),
    rate_limit_per_minute: identity.limits.ratePerMinute,
    concurrency: identity.limits.concurrency,
  }
})

export const usageHistory = Effect.fn("Usage.history")(function* (viewer: Viewer, params: HistoryParams) {
  const networks = yield* Networks
  const store = yield* Store
  // A user's history spans live and test keys: an alias may name either's agent.
  const filters = parseHistoryFilters(params, (ref) => resolveAgentId(networks.live.directory, ref) ?? resolveAgentId(networks.test.directory, ref))
  if (filters instanceof InvalidInput) return yield* filters
  // One row more than asked tells whether an older page exists.
  const rows = yield* store.usage.history({
    ...(viewer.kind === "key" ? { keyId: viewer.keyId } : { userId: viewer.userId }),
    agentId: filters.agentId,
    from: filters.from,
    to: filters.to,
    before: filters.before,
    limit: filters.limit + 1,
  })
  const page = rows.slice(0, filters.limit)
  return {
    scope: viewer.kind,
    rows: page.map(usageRowJson),
    next: rows.length > filters.limit ? page[page.length - 1]!.id : null,
  }
})

export const usageDaily = Effect.fn("Usage.daily")(function* (viewer: Viewer, params: { readonly from?: string | undefined; readonly to?: string | undefined }) {
  const store = yield* Store
  const range = parseDayRange(params, yield* Clock.currentTimeMillis)
  if (range instanceof InvalidInput) return yield* range
  const days = yield* store.usage.daily(viewer.kind === "key" ? { keyId: viewer.keyId } : { userId: viewer.userId }, range.from, range.to)
  return {
    scope: viewer.kind,
    from: range.from,
    to: range.to,
    days: days.map((d) => ({ day: d.day, agent: { id: d.agentId, name: d.agentName }, calls: d.calls, spend_micro_usd: d.spendMicroUsd, spend_usd: formatUsd(d.spendMicroUsd) })),
  }
})

export const usageRequest = Effect.fn("Usage.request")(function* (viewer: Viewer, requestId: string) {
  const store = yield* Store
  // A key's viewer is still looked up within its user: the index leads with (request_id, user_id).
  const row = yield* store.usage.findByRequestId(requestId, viewer.kind === "key" ? { userId: viewer.userId, keyId: viewer.keyId } : { userId: viewer.userId })
  if (row === undefined) return yield* new UsageRequestNotFound({ requestId })
  return requestUsageJson(row)
})

// Public shapes of usage: the current month of a key, history rows, and one call by its request id.
import { t } from "elysia"
import type { UsageRow } from "../../store/usage/repo"
import { formatUsd } from "../gateway/money"
import { environmentSchema } from "../../platform/environments"

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

const microUsd = (description: string) => t.Integer({ description: `${description}, micro-USD (1e-6 USD)` })
const usd = (description: string) => t.String({ description: `${description}, USD as a decimal string` })
const nullable = <S extends ReturnType<typeof t.Integer> | ReturnType<typeof t.String>>(s: S, description: string) => t.Union([s, t.Null()], { description })

export const UsageRowSchema = t.Object({
  id: t.String({ description: "Usage row id (use_…); also the cursor" }),
  key_id: t.String({ description: "The API key that made the call" }),
  environment: environmentSchema("live, or test: a test key's call, served by the built-in sandbox with sandbox money and never billed"),
  agent: t.Object({ id: t.String({ description: "Marketplace agent UUID" }), name: t.String({ description: "Agent name at the time of the call" }) }),
  agent_price_micro_usd: microUsd("What the agent charged"),
  agent_price_usd: usd("What the agent charged"),
  markup_micro_usd: microUsd("The gateway's markup"),
  markup_usd: usd("The gateway's markup"),
  developer_price_micro_usd: microUsd("What you are charged: agent price + markup"),
  developer_price_usd: usd("What you are charged"),
  token: t.String({ description: "Token the agent quoted in: USDC or SOL" }),
  price_base: t.Integer({ description: "The agent's quote in base units of that token" }),
  state: t.Union([t.Literal("pending"), t.Literal("settled"), t.Literal("failed"), t.Literal("unknown")], {
    description: "pending (in flight), settled (paid and charged), failed (not paid, not charged), unknown (being reconciled)",
  }),
  tx_signature: nullable(t.String(), "Solana signature of the payment"),
  receipt_id: nullable(t.String(), "Marketplace receipt id"),
  created_at: t.String({ description: "ISO time the call started" }),
  settled_at: nullable(t.String(), "ISO time the call settled"),
})

export const usageRowJson = (r: UsageRow) => ({
  id: r.id,
  key_id: r.keyId,
  environment: r.environment === "test" ? ("test" as const) : ("live" as const),
  agent: { id: r.agentId, name: r.agentName },
  agent_price_micro_usd: r.agentPriceMicroUsd,
  agent_price_usd: formatUsd(r.agentPriceMicroUsd),
  markup_micro_usd: r.markupMicroUsd,
  markup_usd: formatUsd(r.markupMicroUsd),
  developer_price_micro_usd: r.developerPriceMicroUsd,
  developer_price_usd: formatUsd(r.developerPriceMicroUsd),
  token: r.priceToken,
  price_base: r.priceBase,
  state: r.state as "pending" | "settled" | "failed" | "unknown",
  tx_signature: r.txSignature,
  receipt_id: r.receiptId,
  created_at: new Date(r.createdAt).toISOString(),
  settled_at: iso(r.settledAt),
})

/** One call found by its request id: the history row, with what a single call adds. */
export const RequestUsageSchema = t.Object({
  request_id: t.String({ description: "The request id the call's answer carried in `usage.request_id` (X-Request-Id)" }),
  ...UsageRowSchema.properties,
  id: t.String({ description: "Usage row id (use_…)" }),
  latency_ms: nullable(t.Integer(), "From the call's start to its settlement, ms (settled_at − created_at); null until settled"),
  error: nullable(t.String(), "Why the call failed (failed), or why its outcome is being reconciled (unknown); null otherwise"),
})

export const requestUsageJson = (r: UsageRow) => ({
  request_id: r.requestId,
  ...usageRowJson(r),
  latency_ms: r.state === "settled" && r.settledAt !== null ? r.settledAt - r.createdAt : null,
  // A settle clears the error; a pending row has none yet.
  error: r.state === "failed" || r.state === "unknown" ? r.error : null,
})

export const CurrentUsageSchema = t.Object({
  key_id: t.String({ description: "The calling key" }),
  environment: environmentSchema("The key's environment: a test key's calls run on the built-in sandbox, count against its own quota and cap, and are never billed"),
  period: t.Object({
    name: t.String({ description: "Calendar month (UTC), YYYY-MM" }),
    start: t.String({ description: "ISO time the month starts (inclusive)" }),
    end: t.String({ description: "ISO time the month ends (exclusive)" }),
  }),
  ops: t.Integer({ description: "Agent calls counted against the quota this month (includes calls in flight and calls being reconciled)" }),
  spend_micro_usd: microUsd("Spend counted against the cap this month"),
  spend_usd: usd("Spend counted against the cap this month"),
  quota: nullable(t.Integer(), "Calls allowed per month; null = no quota"),
  quota_remaining: nullable(t.Integer(), "Calls left this month; null = no quota"),
  spend_cap_micro_usd: nullable(t.Integer(), "Monthly spend cap, micro-USD; null = none"),
  spend_cap_usd: nullable(t.String(), "Monthly spend cap, USD decimal string; null = none"),
  spend_remaining_micro_usd: nullable(t.Integer(), "Spend left this month, micro-USD; null = no cap"),
  spend_remaining_usd: nullable(t.String(), "Spend left this month, USD decimal string; null = no cap"),
  by_agent: t.Array(
    t.Object({
      agent: t.Object({ id: t.String({ description: "Marketplace agent UUID" }), name: t.String({ description: "Agent name" }) }),
      ops: t.Integer({ description: "Settled calls this month" }),
      spend_micro_usd: microUsd("Charged for them"),
      spend_usd: usd("Charged for them"),
    }),
    { description: "Settled calls this month per agent, dearest first" },
  ),
  rate_limit_per_minute: t.Integer({ description: "Requests per minute allowed to this key" }),
  concurrency: t.Integer({ description: "Agent calls in flight at once allowed to this key" }),
})

export const HistorySchema = t.Object({
  scope: t.Union([t.Literal("key"), t.Literal("user")], { description: "key: the calling API key's rows; user: every key of the signed-in user" }),
  rows: t.Array(UsageRowSchema, { description: "Newest first" }),
  next: nullable(t.String(), "Pass as `before` to get the next (older) page; null on the last page"),
})

export const DailySchema = t.Object({
  scope: t.Union([t.Literal("key"), t.Literal("user")], { description: "key: the calling API key's calls; user: every key of the signed-in user" }),
  from: t.String({ description: "First UTC day, YYYY-MM-DD" }),
  to: t.String({ description: "Last UTC day, YYYY-MM-DD (included)" }),
  days: t.Array(
    t.Object({
      day: t.String({ description: "UTC day the calls started, YYYY-MM-DD" }),
      agent: t.Object({ id: t.String({ description: "Marketplace agent UUID" }), name: t.String({ description: "Agent name at its latest call" }) }),
      calls: t.Integer({ description: "Settled calls" }),
      spend_micro_usd: microUsd("What they cost you"),
      spend_usd: usd("What they cost you"),
    }),
    { description: "Per day and agent, days ascending; a day without settled calls is absent" },
  ),
})

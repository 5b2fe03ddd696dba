// Public shapes of keys, shared by the key-management and admin routes.
import { t } from "elysia"
import type { KeyRow } from "../../store/keys/repo"
import type { Limits } from "../../platform/tiers"
import { environmentSchema } from "../../platform/environments"

export const LimitsSchema = t.Object({
  rate_limit_per_minute: t.Integer({ description: "Requests per minute" }),
  monthly_quota: t.Union([t.Integer(), t.Null()], { description: "Agent calls per calendar month (UTC); null = no quota" }),
  concurrency: t.Integer({ description: "Agent calls in flight at once" }),
  monthly_spend_cap_micro_usd: t.Union([t.Integer(), t.Null()], { description: "Spend cap per month in micro-USD; null = none" }),
})

export const KeySchema = t.Object({
  id: t.String({ description: "Key id (key_…)" }),
  name: t.String({ description: "Name given at creation" }),
  prefix: t.String({ description: "Start of the key, to tell keys apart; never the whole key" }),
  environment: environmentSchema("live or test"),
  tier: t.String({ description: "free, paid, pro or enterprise" }),
  status: t.Union([t.Literal("active"), t.Literal("suspended"), t.Literal("revoked")], { description: "Key status" }),
  status_reason: t.Union([t.String(), t.Null()], { description: "Why the key is suspended, if it is" }),
  limits: LimitsSchema,
  created_at: t.String({ description: "ISO time" }),
  last_used_at: t.Union([t.String(), t.Null()], { description: "ISO time, updated at most once a minute" }),
  revoked_at: t.Union([t.String(), t.Null()], { description: "ISO time" }),
})

export const limitsJson = (l: Limits) => ({
  rate_limit_per_minute: l.ratePerMinute,
  monthly_quota: l.monthlyQuota,
  concurrency: l.concurrency,
  monthly_spend_cap_micro_usd: l.monthlySpendCapMicroUsd,
})

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

export const keyJson = (row: KeyRow, limits: Limits) => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  environment: row.environment as "live" | "test",
  tier: row.tier,
  status: row.status as "active" | "suspended" | "revoked",
  status_reason: row.statusReason,
  limits: limitsJson(limits),
  created_at: new Date(row.createdAt).toISOString(),
  last_used_at: iso(row.lastUsedAt),
  revoked_at: iso(row.revokedAt),
})

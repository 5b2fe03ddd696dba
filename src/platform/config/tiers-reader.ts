// TIERS_JSON: partial overrides of the tier table, e.g.
// {"free":{"ratePerMinute":60,"monthlyQuota":1000}}. Unknown tiers or fields,
// and non-integer limits, are refused.
import { defaultTiers, isTier, MAX_LIMIT_PER_MINUTE, tierNames, type Limits, type TierTable } from "../tiers"
import type { Read } from "./parse"

const fields = ["ratePerMinute", "monthlyQuota", "concurrency", "monthlySpendCapMicroUsd"] as const
const nullable: ReadonlySet<string> = new Set(["monthlyQuota", "monthlySpendCapMicroUsd"])

export const tierTable: Read<TierTable> = (raw) => {
  const expected = `JSON like {"free":{"ratePerMinute":100,"monthlyQuota":5000,"concurrency":10}} (tiers: ${tierNames.join(", ")}; non-negative integers, ratePerMinute from 1 to ${MAX_LIMIT_PER_MINUTE}, null for no quota or cap)`
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    return { ok: false, expected }
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return { ok: false, expected }
  const out: Record<string, Limits> = { ...defaultTiers }
  for (const [tier, limits] of Object.entries(parsed)) {
    if (!isTier(tier) || typeof limits !== "object" || limits === null) return { ok: false, expected }
    const merged: Record<string, number | null> = { ...out[tier] }
    for (const [field, value] of Object.entries(limits)) {
      if (!(fields as ReadonlyArray<string>).includes(field)) return { ok: false, expected }
      if (value === null && nullable.has(field)) merged[field] = null
      else if (typeof value === "number" && Number.isSafeInteger(value) && value >= (field === "ratePerMinute" ? 1 : 0) && (field !== "ratePerMinute" || value <= MAX_LIMIT_PER_MINUTE)) merged[field] = value
      else return { ok: false, expected }
    }
    out[tier] = merged as Limits
  }
  return { ok: true, value: out as TierTable }
}

// Tier defaults and the limits a key actually gets. Pure: the table comes from
// config, overrides from the key row.

/** Largest rate limit per minute: one call per microsecond, the finest spacing the limiter's microsecond clock expresses (modules/limits/gcra.ts). */
export const MAX_LIMIT_PER_MINUTE = 60_000_000

export const tierNames = ["free", "paid", "pro", "enterprise"] as const
export type Tier = (typeof tierNames)[number]

export type Limits = {
  /** Requests per minute. */
  readonly ratePerMinute: number
  /** Agent calls per calendar month (UTC); null = no call quota. */
  readonly monthlyQuota: number | null
  /** Agent calls in flight at once. */
  readonly concurrency: number
  /** Spend cap per calendar month, micro-USD; null = none. */
  readonly monthlySpendCapMicroUsd: number | null
}

export type TierTable = { readonly [T in Tier]: Limits }

export const defaultTiers: TierTable = {
  free: { ratePerMinute: 100, monthlyQuota: 5000, concurrency: 10, monthlySpendCapMicroUsd: null },
  paid: { ratePerMinute: 1000, monthlyQuota: null, concurrency: 10, monthlySpendCapMicroUsd: null },
  pro: { ratePerMinute: 10_000, monthlyQuota: null, concurrency: 50, monthlySpendCapMicroUsd: null },
  // Enterprise limits are set per key; these apply until they are.
  enterprise: { ratePerMinute: 10_000, monthlyQuota: null, concurrency: 100, monthlySpendCapMicroUsd: null },
}

export type LimitOverrides = {
  readonly rateLimitPerMinute: number | null
  readonly monthlyQuota: number | null
  readonly concurrencyLimit: number | null
  readonly monthlySpendCapMicroUsd: number | null
}

export const isTier = (s: string): s is Tier => (tierNames as ReadonlyArray<string>).includes(s)

/** A stored tier name as a Tier; anything unknown counts as free. */
export const tierOf = (name: string): Tier => (isTier(name) ? name : "free")

/** A key row's limits: its own overrides over its tier's. */
export const limitsFor = (row: LimitOverrides & { readonly tier: string }, table: TierTable): Limits => effectiveLimits(tierOf(row.tier), row, table)

export const effectiveLimits = (tier: Tier, overrides: LimitOverrides, table: TierTable = defaultTiers): Limits => {
  const base = table[tier]
  return {
    ratePerMinute: overrides.rateLimitPerMinute ?? base.ratePerMinute,
    monthlyQuota: overrides.monthlyQuota ?? base.monthlyQuota,
    concurrency: overrides.concurrencyLimit ?? base.concurrency,
    monthlySpendCapMicroUsd: overrides.monthlySpendCapMicroUsd ?? base.monthlySpendCapMicroUsd,
  }
}

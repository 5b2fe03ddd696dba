// Calendar months (UTC) name usage and billing periods: "YYYY-MM".

/** One UTC day, ms. */
export const DAY_MS = 86_400_000

export const periodOf = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 7)

/** [start, end) of the period in epoch ms. */
export const periodBounds = (period: string): { readonly start: number; readonly end: number } => {
  const [y, m] = period.split("-").map(Number) as [number, number]
  return { start: Date.UTC(y, m - 1, 1), end: Date.UTC(y, m, 1) }
}

/** The UTC day `epochMs` falls in: "YYYY-MM-DD" (daily usage counters). */
export const dayOf = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 10)

/** The days of a period as a [first, last] pair of "YYYY-MM-DD" strings, for counters keyed by day. */
export const periodDays = (period: string): { readonly first: string; readonly last: string } => ({ first: `${period}-01`, last: `${period}-31` })

export const isPeriod = (s: string): boolean => /^\d{4}-(0[1-9]|1[0-2])$/.test(s)

/** The month before the one `epochMs` falls in. */
export const previousPeriod = (epochMs: number): string => {
  const d = new Date(epochMs)
  return periodOf(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1))
}

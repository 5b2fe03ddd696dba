// The day range of GET /v1/usage/daily, checked before any query runs:
// UTC days as YYYY-MM-DD, both ends included; by default the 30 days up to
// today; at most 366 days at once.
import { invalidQuery, type InvalidInput, type FieldProblem } from "../../platform/http/errors"
import { DAY_MS, dayOf } from "../../platform/period"

export const DEFAULT_DAYS = 30
export const MAX_DAYS = 366

const dayShape = /^\d{4}-\d{2}-\d{2}$/

/** Epoch ms of a real calendar day's midnight (UTC), or undefined ("2026-02-30" is not a day). */
const dayStart = (day: string): number | undefined => {
  if (!dayShape.test(day)) return undefined
  const ms = Date.parse(`${day}T00:00:00Z`)
  return Number.isFinite(ms) && dayOf(ms) === day ? ms : undefined
}

export type DayRange = { readonly from: string; readonly to: string }

export const parseDayRange = (params: { readonly from?: string | undefined; readonly to?: string | undefined }, now: number): DayRange | InvalidInput => {
  const errors: Array<FieldProblem> = []
  const day = (field: "from" | "to") => {
    const raw = params[field]
    if (raw === undefined) return undefined
    const ms = dayStart(raw)
    if (ms === undefined) errors.push({ field, message: "must be a UTC day such as 2026-01-31" })
    return ms
  }
  const fromMs = day("from")
  const toMs = day("to")
  if (errors.length === 0) {
    const to = toMs ?? dayStart(dayOf(now))!
    const from = fromMs ?? to - (DEFAULT_DAYS - 1) * DAY_MS
    if (from > to) errors.push({ field: "to", message: "must not be before from" })
    else if ((to - from) / DAY_MS + 1 > MAX_DAYS) errors.push({ field: "from", message: `must be at most ${MAX_DAYS} days before to` })
    else return { from: dayOf(from), to: dayOf(to) }
  }
  return invalidQuery(errors)
}

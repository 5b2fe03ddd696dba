// How a customer's settled rows become meter events: one event per batch of
// rows, so one customer's calls cost a Stripe round trip per batch rather
// than per call. A batch never spans two calendar months (the product's
// billing periods: the close and the reconciliation count by them) and
// covers at most `spanMs` of calls, so the event's timestamp (its first
// call's time) is never further than that from any call it carries.
import { periodOf } from "../../platform/period"

/** Call times from and to, both included, and how many of the given rows fall in. */
export type BatchRange = { readonly from: number; readonly to: number; readonly rows: number }

/** Ranges of call times, in order, for rows sorted by time. */
export const planBatches = (times: ReadonlyArray<number>, spanMs: number): Array<BatchRange> => {
  const ranges: Array<BatchRange> = []
  let from: number | undefined
  let to = 0
  let rows = 0
  for (const t of times) {
    if (from !== undefined && (t - from > spanMs || periodOf(t) !== periodOf(from))) {
      ranges.push({ from, to, rows })
      from = undefined
    }
    if (from === undefined) {
      from = t
      rows = 0
    }
    to = t
    rows++
  }
  if (from !== undefined) ranges.push({ from, to, rows })
  return ranges
}

// How a customer's settled rows become meter events: one event per batch of
// rows, so one customer's calls cost a Stripe round trip per batch rather
// than per call. Batches fill time buckets `spanMs` wide, aligned to the
// epoch; a span that divides a day makes every bucket end by midnight UTC, so
// a batch never spans two calendar months (the product's billing periods:
// the close and the reconciliation count by them), and the event's timestamp
// (its first call's time) is never more than a span from any call it carries.
import { DAY_MS } from "../../platform/period"

/** A batch span the reporter accepts: a whole number of ms that divides a day. */
export const isBatchSpan = (spanMs: number): boolean => Number.isSafeInteger(spanMs) && spanMs > 0 && DAY_MS % spanMs === 0

/** The bucket a call at `epochMs` falls in. */
export const bucketOf = (epochMs: number, spanMs: number): number => Math.floor(epochMs / spanMs)

/** A bucket's calls' time range, epoch ms: `from` included, `to` excluded. */
export const bucketRange = (bucket: number, spanMs: number): { readonly from: number; readonly to: number } => ({ from: bucket * spanMs, to: (bucket + 1) * spanMs })

// Thin events as Stripe sends them to an event destination: a notification
// with ids only (object "v2.core.event", `created` in ISO 8601, the related
// object's id, type and URL), signed like every Stripe delivery
// (Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body" under the
// destination's secret>), and the full event, with its `data`, served at
// GET /v2/core/events/:id.
import { createHmac } from "node:crypto"

export type RelatedObject = { readonly id: string; readonly type: string; readonly url: string }

export type ThinEvent = {
  readonly id: string
  readonly object: "v2.core.event"
  readonly type: string
  readonly created: string
  readonly livemode: false
  readonly context: null
  readonly reason: null
  readonly related_object?: RelatedObject
  readonly data: Record<string, unknown>
}

/** What the destination receives: the event without `data`. */
export const notificationOf = (event: ThinEvent): string => {
  const { data: _, ...notification } = event
  return JSON.stringify(notification)
}

export const stripeSignature = (payload: string, secret: string, timestampS: number): string =>
  `t=${timestampS},v1=${createHmac("sha256", secret).update(`${timestampS}.${payload}`).digest("hex")}`

/** One sample error of a meter error report: the meter event identifier Stripe dropped and why. */
export type AsyncMeterError = { readonly identifier: string; readonly code: string; readonly message: string; readonly at: number }

/** `data` of a meter error report: a total count, and per code a count and at most `samplesPerType` samples. */
export const meterErrorData = (errors: ReadonlyArray<AsyncMeterError>, samplesPerType: number, windowEnd: number) => {
  const byCode = new Map<string, Array<AsyncMeterError>>()
  for (const e of errors) byCode.set(e.code, [...(byCode.get(e.code) ?? []), e])
  const windowStart = Math.min(windowEnd, ...errors.map((e) => e.at))
  return {
    developer_message_summary: `There ${errors.length === 1 ? "is 1 invalid event" : `are ${errors.length} invalid events`}`,
    reason: {
      error_count: errors.length,
      error_types: [...byCode].map(([code, list]) => ({
        code,
        error_count: list.length,
        sample_errors: list.slice(0, samplesPerType).map((e) => ({ error_message: e.message, request: { identifier: e.identifier } })),
      })),
    },
    validation_start: new Date(windowStart).toISOString(),
    validation_end: new Date(windowEnd).toISOString(),
  }
}

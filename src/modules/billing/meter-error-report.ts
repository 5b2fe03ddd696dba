// Stripe's meter-event error reports. The meter events endpoint accepts an
// event and validates it later; events it then drops (customer not found,
// no meter for the event name, value invalid, …) are reported asynchronously
// as thin events, `v1.billing.meter.error_report_triggered` (about a meter)
// and `v1.billing.meter.no_meter_found`. The delivered notification has ids
// only; the event fetched from /v2/core/events/:id carries `data.reason`:
// a total `error_count` and, per error code, a count and a few
// `sample_errors[].request.identifier`, our usage row ids.
//
// This reads that event defensively (it is Stripe's, unversioned): what it
// cannot read is `Odd`, acknowledged and logged like any odd event.
import type { MeterErrorReport } from "../../store/billing/repo"
import { odd, type Odd } from "./webhooks/shared"

export const METER_ERROR_TYPES = ["v1.billing.meter.error_report_triggered", "v1.billing.meter.no_meter_found"] as const

export const isMeterErrorType = (type: string): boolean => (METER_ERROR_TYPES as ReadonlyArray<string>).includes(type)

// Stripe caps meter event identifiers at 100 characters.
const MAX_IDENTIFIER = 100

const record = (v: unknown): Record<string, unknown> | undefined => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined)
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0
/** An ISO time (v2 events write times so) as epoch ms. */
const timeOf = (v: unknown): number | undefined => {
  if (typeof v !== "string") return undefined
  const ms = Date.parse(v)
  return Number.isFinite(ms) ? ms : undefined
}

/** The report in the fetched event `event`, which must be the one notified (`id`, `type`). */
export const decodeMeterErrorReport = (event: unknown, notified: { readonly id: string; readonly type: string }): MeterErrorReport | Odd => {
  const e = record(event)
  if (!e || e.id !== notified.id || e.type !== notified.type) return odd("Stripe served an event other than the one notified")
  const data = record(e.data)
  const reason = record(data?.reason)
  if (!data || !reason) return odd("the event has no data.reason")
  if (!isCount(reason.error_count)) return odd("data.reason.error_count is not a count")
  if (!Array.isArray(reason.error_types)) return odd("data.reason.error_types is not a list")
  const samples: Array<MeterErrorReport["samples"][number]> = []
  const counts: Array<string> = []
  for (const entry of reason.error_types) {
    const t = record(entry)
    if (!t || typeof t.code !== "string" || !isCount(t.error_count) || !Array.isArray(t.sample_errors)) return odd("an entry of data.reason.error_types cannot be read")
    counts.push(`${t.code.slice(0, 64)} x${t.error_count}`)
    for (const s of t.sample_errors) {
      const sample = record(s)
      const identifier = record(sample?.request)?.identifier
      // A sample without a usable identifier still counts in error_count, and names no row.
      if (typeof identifier !== "string" || identifier === "" || identifier.length > MAX_IDENTIFIER) continue
      samples.push({ identifier, code: t.code.slice(0, 64), message: typeof sample?.error_message === "string" ? sample.error_message.slice(0, 300) : "" })
    }
  }
  const windowStart = timeOf(data.validation_start) ?? timeOf(e.created)
  const windowEnd = timeOf(data.validation_end) ?? windowStart
  if (windowStart === undefined || windowEnd === undefined) return odd("the report has neither a validation window nor a created time")
  const related = record(e.related_object)
  const message = typeof data.developer_message_summary === "string" ? data.developer_message_summary.slice(0, 300) : undefined
  return {
    meterId: typeof related?.id === "string" ? related.id : null,
    // Never fewer errors than the samples it names.
    errorCount: Math.max(reason.error_count, samples.length),
    samples,
    summary: [message, counts.join(", ")].filter((s) => s !== undefined && s !== "").join(": "),
    windowStart,
    windowEnd,
  }
}

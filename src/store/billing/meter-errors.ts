// Stripe's asynchronous meter-event error reports: the usage rows a report
// names (through their meter batch's identifier, or their own id for rows
// reported one event per row) go back to the operator as flagged, and the report itself is kept,
// so errors it counts without naming a row of ours reach the reconciliation.
// Plain SQL both dialects accept.
import { sql } from "drizzle-orm"
import { flagWhere, namedBy } from "../outbox/statements"
import type { FlaggedUsage, MeterErrorReport, StripeEventRecord, UnattributedMeterErrors } from "./repo"

/** Identifiers looked up per report; Stripe sends a few samples, so this only bounds a hostile body. */
export const MAX_SAMPLES = 500

export const sampleIdentifiers = (report: MeterErrorReport): Array<string> => [...new Set(report.samples.map((s) => s.identifier))].slice(0, MAX_SAMPLES)

const listOf = (ids: ReadonlyArray<string>) => sql.join(ids.map((id) => sql`${id}`), sql`, `)

/** The identifiers that name rows of ours: meter batches, or rows reported one event per row. */
export const knownIdentifiers = (ids: ReadonlyArray<string>) => sql`
  select distinct stripe_batch_id as id from usage where stripe_batch_id in (${listOf(ids)})
  union select id from usage where id in (${listOf(ids)})`

/** The rows any of these identifiers names (for taking their counters first). */
export const namedByAny = (ids: ReadonlyArray<string>) => sql`(stripe_batch_id in (${listOf(ids)}) or id in (${listOf(ids)}))`

export const flagReason = (event: StripeEventRecord, sample: MeterErrorReport["samples"][number]) =>
  `Stripe dropped the meter event after accepting it (${event.type} ${event.id}): ${sample.code}: ${sample.message}`

/** Flags the rows of an event Stripe dropped, unless never billable or flagged already. */
export const flagNamed = (identifier: string, reason: string) => flagWhere(namedBy(identifier), reason, ["pending", "reported"])

export const toFlagged = (rows: ReadonlyArray<Record<string, unknown>>, reason: string): Array<FlaggedUsage> =>
  rows.map((r) => ({ id: String(r.id), userId: String(r.user_id), developerPriceMicroUsd: Number(r.developer_price_micro_usd), reason }))

export const insertReport = (event: StripeEventRecord, report: MeterErrorReport, attributed: number) => sql`
  insert into stripe_meter_error_reports (event_id, type, meter_id, error_count, attributed_count, summary, window_start, window_end, received_at)
  values (${event.id}, ${event.type}, ${report.meterId}, ${report.errorCount}, ${attributed}, ${report.summary.slice(0, 1000)}, ${report.windowStart}, ${report.windowEnd}, ${event.now})`

export const unattributedStatement = (w: { readonly start: number; readonly end: number }) => sql`
  select event_id, type, meter_id, error_count, attributed_count, summary, window_start, window_end
  from stripe_meter_error_reports
  where window_start < ${w.end} and window_end >= ${w.start} and error_count > attributed_count
  order by window_start, event_id`

export const toUnattributed = (rows: ReadonlyArray<Record<string, unknown>>): Array<UnattributedMeterErrors> =>
  rows.map((r) => ({
    eventId: String(r.event_id),
    type: String(r.type),
    meterId: r.meter_id === null ? null : String(r.meter_id),
    errorCount: Number(r.error_count),
    unattributed: Number(r.error_count) - Number(r.attributed_count),
    summary: String(r.summary),
    windowStart: Number(r.window_start),
    windowEnd: Number(r.window_end),
  }))

/** Errors that name an event of ours, each event once (an event may be sampled under two error codes); never more than the report counts. */
export const attributedCount = (report: MeterErrorReport, known: ReadonlySet<string>): number =>
  Math.min(report.errorCount, new Set(report.samples.map((s) => s.identifier).filter((id) => known.has(id))).size)

// Reports settled usage to Stripe: one meter event per usage row, the row id
// as the event identifier. A row becomes 'reported' only after Stripe accepted
// it (or said it already holds that identifier), so a crash or an outage
// delays billing but never loses or doubles it.
//
// Each pass leases a batch (store/outbox), sends each customer's rows one at
// a time (Stripe allows one concurrent meter-event call per customer and
// meter) with several customers in parallel, retries with exponential backoff
// and full jitter (Retry-After wins when Stripe sends one), and gives back
// what it could not send. A killed reporter's lease simply expires.
import { Clock, Effect, Random, Ref } from "effect"
import { newId } from "../../platform/ids"
import type { OutboxRow } from "../../store/outbox/repo"
import { Store } from "../../store/store"
import type { StripeRequestFailed } from "./errors"
import { StripeClient } from "./stripe-client"

export type ReporterOptions = {
  readonly batchSize: number
  /** Customers served in parallel. */
  readonly concurrency: number
  /** How long a claim holds before another reporter may take the rows, ms. */
  readonly leaseMs: number
  /** Attempts per row per pass before the row is given back for a later pass. */
  readonly maxAttempts: number
  /** First backoff, ms; doubles per attempt up to maxDelayMs, full jitter. */
  readonly baseDelayMs: number
  readonly maxDelayMs: number
  /** Pause when nothing is pending or Stripe is unusable, ms. */
  readonly idleMs: number
  /**
   * Accepted rows are marked in groups of this many per customer lane (one
   * write instead of many). Rows accepted but not yet marked when the process
   * dies are resent after the lease, and Stripe drops them by identifier.
   */
  readonly markEvery: number
}

export const defaultReporterOptions: ReporterOptions = {
  batchSize: 500,
  concurrency: 8,
  leaseMs: 5 * 60_000,
  maxAttempts: 6,
  baseDelayMs: 250,
  maxDelayMs: 30_000,
  idleMs: 5_000,
  markEvery: 20,
}

const DAY_MS = 86_400_000
/**
 * Stripe accepts meter events up to 35 days old. Rows older than this (a
 * margin under the limit, for clock skew and the time a pass takes) are
 * flagged instead of sent, for the operator to bill by hand.
 */
/** How old a meter event Stripe still takes, ms. */
export const METER_EVENT_MAX_AGE_MS = 35 * DAY_MS
export const REPORTABLE_AGE_MS = METER_EVENT_MAX_AGE_MS - 60 * 60_000

export type PassResult = {
  readonly claimed: number
  readonly reported: number
  readonly flagged: number
  readonly released: number
  /** Stripe refused our account or billing is off: retrying soon is pointless. */
  readonly halted: boolean
}

type RowOutcome = "accepted" | "flagged" | "released" | "halt"

export const backoffMs = (attempt: number, options: ReporterOptions, jitter: number): number =>
  Math.round(Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt) * jitter)

/** Failures about this one row: Stripe will refuse it however often it is sent. */
const refusesRow = (e: StripeRequestFailed) => e.kind === "fatal" && (e.status === 400 || e.status === 404 || e.status === 422)

const sendRow = Effect.fn("Reporter.sendRow")(function* (row: OutboxRow, options: ReporterOptions) {
  const stripe = yield* StripeClient
  const store = yield* Store
  const now = yield* Clock.currentTimeMillis
  const flag = (reason: string) =>
    Effect.gen(function* () {
      yield* store.outbox.markFlagged(row.id, reason)
      yield* Effect.logWarning("usage row flagged for the operator", { usage_id: row.id, user_id: row.userId, micro_usd: row.developerPriceMicroUsd, reason })
      return "flagged" as RowOutcome
    })
  if (!row.stripeCustomerId) return yield* flag("the user has no Stripe customer id")
  if (now - row.createdAt > REPORTABLE_AGE_MS) return yield* flag("older than Stripe's 35-day meter event window")

  const event = { identifier: row.id, customerId: row.stripeCustomerId, value: row.developerPriceMicroUsd, timestamp: Math.floor(row.createdAt / 1000) }
  for (let attempt = 0; ; attempt++) {
    const result = yield* Effect.result(stripe.reportMeterEvent(event))
    if (result._tag === "Success") return "accepted" as RowOutcome
    const error = result.failure
    if (error._tag === "BillingDisabled") return "halt" as RowOutcome
    if (refusesRow(error)) return yield* flag(`Stripe refused the event: ${error.code ?? error.status}: ${error.reason}`)
    if (error.kind === "fatal") {
      yield* Effect.logError("Stripe refused the usage report; reporting paused", { operation: error.operation, status: error.status, code: error.code, reason: error.reason })
      return "halt" as RowOutcome
    }
    if (attempt + 1 >= options.maxAttempts) {
      yield* Effect.logWarning("usage report still failing; row left for a later pass", { usage_id: row.id, status: error.status, code: error.code, kind: error.kind })
      return "released" as RowOutcome
    }
    const jitter = yield* Random.next
    yield* Effect.sleep(Math.max(error.retryAfterMs ?? 0, backoffMs(attempt, options, jitter)))
  }
})

/** One claim-send-mark pass over at most one batch. */
export const reportPass = Effect.fn("Reporter.pass")(function* (owner: string, options: ReporterOptions = defaultReporterOptions) {
  const store = yield* Store
  const now = yield* Clock.currentTimeMillis
  const rows = yield* store.outbox.claim({ owner, now, leaseMs: options.leaseMs, limit: options.batchSize })
  const lanes = new Map<string, Array<OutboxRow>>()
  for (const row of rows) {
    const lane = lanes.get(row.userId)
    if (lane) lane.push(row)
    else lanes.set(row.userId, [row])
  }

  const halted = yield* Ref.make(false)
  const counts = { reported: 0, flagged: 0, released: 0 }
  const done = new Set<string>()
  const runLane = (lane: ReadonlyArray<OutboxRow>) =>
    Effect.gen(function* () {
      let accepted: Array<string> = []
      const flush = Effect.gen(function* () {
        if (accepted.length === 0) return
        const ids = accepted
        accepted = []
        yield* store.outbox.markReported(ids, yield* Clock.currentTimeMillis)
        for (const id of ids) done.add(id)
        counts.reported += ids.length
      })
      for (const row of lane) {
        if (yield* Ref.get(halted)) break
        const outcome = yield* sendRow(row, options)
        if (outcome === "halt") {
          yield* Ref.set(halted, true)
          break
        }
        if (outcome === "accepted") accepted.push(row.id)
        else if (outcome === "flagged") {
          done.add(row.id)
          counts.flagged++
        } else {
          // Retries ran out: Stripe is struggling, so this lane stops here and its
          // remaining rows go back with this one (this also bounds a pass well inside the lease).
          counts.released++
          break
        }
        if (accepted.length >= options.markEvery) yield* flush
      }
      yield* flush
    })
  yield* Effect.forEach([...lanes.values()], runLane, { concurrency: options.concurrency, discard: true })
  const giveBack = rows.filter((r) => !done.has(r.id)).map((r) => r.id)
  yield* store.outbox.release(giveBack, owner)
  const result: PassResult = { claimed: rows.length, reported: counts.reported, flagged: counts.flagged, released: giveBack.length, halted: yield* Ref.get(halted) }
  if (rows.length > 0) yield* Effect.logDebug("usage report pass", { ...result })
  return result
})

/** Drains until nothing is pending (tests, and the CLI); returns the totals. */
export const drainOutbox = Effect.fn("Reporter.drain")(function* (options: ReporterOptions = defaultReporterOptions, owner: string = newId("rep")) {
  const total = { passes: 0, reported: 0, flagged: 0 }
  for (;;) {
    const r = yield* reportPass(owner, options)
    total.passes++
    total.reported += r.reported
    total.flagged += r.flagged
    if (r.claimed === 0 || r.halted) return { ...total, halted: r.halted }
  }
})

/** The long-running reporter: passes back to back while there is work, an idle pause otherwise. */
export const runReporter = (options: ReporterOptions = defaultReporterOptions) =>
  Effect.gen(function* () {
    const stripe = yield* StripeClient
    if (!stripe.enabled) return
    const owner = newId("rep")
    yield* Effect.logInfo("usage reporter started", { owner })
    for (;;) {
      const r = yield* reportPass(owner, options).pipe(
        Effect.catchTag("StoreUnavailable", () => Effect.succeed({ claimed: 0, reported: 0, flagged: 0, released: 0, halted: true } satisfies PassResult)),
      )
      if (r.claimed === 0 || r.halted || r.released === r.claimed) yield* Effect.sleep(options.idleMs)
    }
  })

// Reports settled usage to Stripe: each customer's rows go in meter batches,
// one meter event per batch, the batch id its identifier and the rows' sum its
// value. A batch is written onto its rows before its event is sent and never
// changes, so a resend after a crash or an outage is the same event and
// Stripe drops the repeat; rows become 'reported' only after Stripe accepted
// their batch (or said it already holds that identifier). Billing may be
// delayed, never lost or doubled.
//
// Each pass leases users with pending rows (store/outbox), least recently
// served first, sends each customer's batches one at a time (Stripe allows
// one concurrent meter-event call per customer and meter) with several
// customers in parallel, retries with exponential backoff and full jitter
// (Retry-After wins when Stripe sends one), and ends its leases. A killed
// reporter's leases simply expire; its written batches are resent as they are.
import { Clock, Effect, Random, Ref } from "effect"
import { newId } from "../../platform/ids"
import type { LeasedUser, MeterBatch } from "../../store/outbox/repo"
import { Store } from "../../store/store"
import type { StripeRequestFailed } from "./errors"
import { bucketRange, isBatchSpan } from "./meter-batches"
import { StripeClient } from "./stripe-client"
import { DAY_MS } from "../../platform/period"

export type ReporterOptions = {
  /** Users leased per pass. */
  readonly usersPerPass: number
  /** Customers served in parallel. */
  readonly concurrency: number
  /** How long a lease holds before another reporter may take the users, ms. */
  readonly leaseMs: number
  /** Attempts per meter event per pass before its user is left for a later pass. */
  readonly maxAttempts: number
  /** First backoff, ms; doubles per attempt up to maxDelayMs, full jitter. */
  readonly baseDelayMs: number
  readonly maxDelayMs: number
  /** Pause when nothing is pending or Stripe is unusable, ms. */
  readonly idleMs: number
  /** The stretch of one customer's calls one meter event carries at most, ms; divides a day (see meter-batches). */
  readonly batchSpanMs: number
  /** The shortest time from one busy pass's start to the next's, ms (see pauseAfterPass). */
  readonly minPassMs: number
}

export const defaultReporterOptions: ReporterOptions = {
  usersPerPass: 256,
  // At Stripe's ~150 ms, 64 customers in flight is ~400 meter events/s: under
  // its 1,000/s for meter events (v1), and a backlog of 1,000 customers drains
  // at well over 5,000 calls/s (bench/reporter.ts). With 32, a backlog of about
  // 20 calls a customer was bound by the round trips to under 4,300/s.
  concurrency: 64,
  leaseMs: 5 * 60_000,
  maxAttempts: 6,
  baseDelayMs: 250,
  maxDelayMs: 30_000,
  idleMs: 5_000,
  batchSpanMs: 60_000,
  // 256 users a pass at most every 500 ms: at most ~512 meter events a second
  // from one reporter when Stripe answers at once. At Stripe's ~150 ms a busy
  // pass takes longer than this anyway.
  minPassMs: 500,
}

/**
 * Stripe accepts meter events up to 35 days old. Rows older than this (a
 * margin under the limit, for clock skew and the time a pass takes) are
 * flagged instead of sent, for the operator to bill by hand.
 */
/** How old a meter event Stripe still takes, ms. */
export const METER_EVENT_MAX_AGE_MS = 35 * DAY_MS
export const REPORTABLE_AGE_MS = METER_EVENT_MAX_AGE_MS - 60 * 60_000

export type PassResult = {
  /** Users leased. */
  readonly users: number
  /** Meter events Stripe accepted. */
  readonly events: number
  /** Rows those events carried. */
  readonly reported: number
  readonly flagged: number
  /** Users whose events kept failing, left for a later pass. */
  readonly deferred: number
  /** Stripe refused our account or billing is off: retrying soon is pointless. */
  readonly halted: boolean
}

type SendOutcome = "accepted" | "flagged" | "released" | "halt"

export const backoffMs = (attempt: number, options: ReporterOptions, jitter: number): number =>
  Math.round(Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt) * jitter)

/** Failures about this one event: Stripe will refuse it however often it is sent. */
const refusesEvent = (e: StripeRequestFailed) => e.kind === "fatal" && (e.status === 400 || e.status === 404 || e.status === 422)

/** Sends one batch's event until Stripe takes it, refuses it, or the attempts run out; marks or flags its rows. */
const sendBatch = Effect.fn("Reporter.sendBatch")(function* (batch: MeterBatch, customerId: string, options: ReporterOptions) {
  const stripe = yield* StripeClient
  const store = yield* Store
  const now = yield* Clock.currentTimeMillis
  const flag = (reason: string) =>
    Effect.gen(function* () {
      const { rows, microUsd } = yield* store.outbox.flagBatch(batch.id, reason)
      yield* Effect.logWarning("usage rows flagged for the operator", { batch_id: batch.id, rows, micro_usd: microUsd, reason })
      return "flagged" as SendOutcome
    })
  if (now - batch.firstAt > REPORTABLE_AGE_MS) return yield* flag("older than Stripe's 35-day meter event window")

  const event = { identifier: batch.id, customerId, value: batch.microUsd, timestamp: Math.floor(batch.firstAt / 1000) }
  for (let attempt = 0; ; attempt++) {
    const result = yield* Effect.result(stripe.reportMeterEvent(event))
    if (result._tag === "Success") {
      yield* store.outbox.markBatchReported(batch.id, yield* Clock.currentTimeMillis)
      return "accepted" as SendOutcome
    }
    const error = result.failure
    if (error._tag === "BillingDisabled") return "halt" as SendOutcome
    if (refusesEvent(error)) return yield* flag(`Stripe refused the event: ${error.code ?? error.status}: ${error.reason}`)
    if (error.kind === "fatal") {
      yield* Effect.logError("Stripe refused the usage report; reporting paused", { operation: error.operation, status: error.status, code: error.code, reason: error.reason })
      return "halt" as SendOutcome
    }
    if (attempt + 1 >= options.maxAttempts) {
      yield* Effect.logWarning("usage report still failing; rows left for a later pass", { batch_id: batch.id, status: error.status, code: error.code, kind: error.kind })
      return "released" as SendOutcome
    }
    const jitter = yield* Random.next
    yield* Effect.sleep(Math.max(error.retryAfterMs ?? 0, backoffMs(attempt, options, jitter)))
  }
})

/** One lease-batch-send-mark pass over at most `usersPerPass` users. */
export const reportPass = Effect.fn("Reporter.pass")(function* (owner: string, options: ReporterOptions = defaultReporterOptions) {
  // A span that does not divide a day would let a batch hold calls of two months.
  if (!isBatchSpan(options.batchSpanMs)) return yield* Effect.die(new Error(`batchSpanMs must divide a day: ${options.batchSpanMs}`))
  const store = yield* Store
  const now = yield* Clock.currentTimeMillis
  const users = yield* store.outbox.lease({ owner, now, leaseMs: options.leaseMs, limit: options.usersPerPass })
  const halted = yield* Ref.make(false)
  const counts = { events: 0, reported: 0, flagged: 0, deferred: 0 }
  const flagUnsendable = (userId: string, reason: string, before?: number) =>
    Effect.gen(function* () {
      const { rows, microUsd } = yield* store.outbox.flagUnsendable(userId, reason, before)
      if (rows === 0) return
      counts.flagged += rows
      yield* Effect.logWarning("usage rows flagged for the operator", { user_id: userId, rows, micro_usd: microUsd, reason })
    })

  const serve = ({ userId, stripeCustomerId }: LeasedUser) =>
    Effect.gen(function* () {
      if (!stripeCustomerId) return yield* flagUnsendable(userId, "the user has no Stripe customer id")
      const pending = yield* store.outbox.pendingWork(userId, options.batchSpanMs)
      const cutoff = now - REPORTABLE_AGE_MS
      if (pending.some((w) => w.kind === "fresh" && w.firstAt < cutoff)) yield* flagUnsendable(userId, "older than Stripe's 35-day meter event window", cutoff)
      // Oldest first: a batch a dead pass wrote is resent exactly as written;
      // fresh rows are written into a new batch per bucket just before it is sent.
      const work = pending.map((w) =>
        w.kind === "written" ? store.outbox.batch(w.batchId) : store.outbox.openBatch({ id: newId("mtb"), userId, ...bucketRange(w.bucket, options.batchSpanMs) }),
      )
      for (const next of work) {
        if (yield* Ref.get(halted)) return
        const batch = yield* next
        if (batch.rows === 0) continue
        const outcome = yield* sendBatch(batch, stripeCustomerId, options)
        if (outcome === "halt") return yield* Ref.set(halted, true)
        // Retries ran out: Stripe is struggling, so this customer waits for a
        // later pass (this also bounds a pass well inside the lease).
        if (outcome === "released") return void counts.deferred++
        if (outcome === "accepted") {
          counts.events++
          counts.reported += batch.rows
        } else counts.flagged += batch.rows
      }
    })
  yield* Effect.forEach(users, serve, { concurrency: options.concurrency, discard: true })
  if (users.length > 0) yield* store.outbox.release(owner, yield* Clock.currentTimeMillis)
  const result: PassResult = { users: users.length, ...counts, halted: yield* Ref.get(halted) }
  if (users.length > 0) yield* Effect.logDebug("usage report pass", { ...result })
  return result
})

/** Drains until nothing is pending (tests, and the CLI); returns the totals. */
export const drainOutbox = Effect.fn("Reporter.drain")(function* (options: ReporterOptions = defaultReporterOptions, owner: string = newId("rep")) {
  const total = { passes: 0, events: 0, reported: 0, flagged: 0 }
  for (;;) {
    const r = yield* reportPass(owner, options)
    total.passes++
    total.events += r.events
    total.reported += r.reported
    total.flagged += r.flagged
    if (r.users === 0 || r.halted) return { ...total, halted: r.halted }
  }
})

/**
 * How long the reporter waits after a pass that took `elapsedMs`. Nothing to
 * do, Stripe unusable, or every user deferred: the idle pause. Otherwise the
 * rest of minPassMs: a pass Stripe answered at once comes back to its
 * customers before many calls have settled, and sending their few rows as
 * many small events spends Stripe's meter-event rate and the database's
 * writes for nothing; waiting lets each event carry what arrived meanwhile.
 * Never longer than minPassMs: the wall clock stepping back during a pass
 * reads as a negative time, which must not hold billing back for the jump.
 */
export const pauseAfterPass = (r: PassResult, elapsedMs: number, options: ReporterOptions): number =>
  r.users === 0 || r.halted || r.deferred === r.users ? options.idleMs : Math.min(options.minPassMs, Math.max(0, options.minPassMs - elapsedMs))

/** The long-running reporter: passes while there is work, paced by pauseAfterPass. */
export const runReporter = (options: ReporterOptions = defaultReporterOptions) =>
  Effect.gen(function* () {
    const stripe = yield* StripeClient
    if (!stripe.enabled) return
    const owner = newId("rep")
    yield* Effect.logInfo("usage reporter started", { owner })
    for (;;) {
      const started = yield* Clock.currentTimeMillis
      const r = yield* reportPass(owner, options).pipe(
        Effect.catchTag("StoreUnavailable", () => Effect.succeed({ users: 0, events: 0, reported: 0, flagged: 0, deferred: 0, halted: true } satisfies PassResult)),
      )
      const pause = pauseAfterPass(r, (yield* Clock.currentTimeMillis) - started, options)
      if (pause > 0) yield* Effect.sleep(pause)
    }
  })

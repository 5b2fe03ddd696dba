// The alert evaluator: reads the pool, the usage rows and Stripe's recent
// answers, brings each condition's alerts up to date and delivers the
// changes. One instance at a time (the job lock). The money audit reports its
// own condition when it runs (audit/job.ts).
import { Cause, Clock, Effect, Metric } from "effect"
import { AppConfig } from "../../platform/config/service"
import { withJobLock } from "../../platform/jobs/lock"
import { periodOf } from "../../platform/period"
import { Store } from "../../store/store"
import { payingStatus, thresholdsOf } from "../pool/balances"
import { lowWallets, outboxTooOld, poolBelowFloor, stripeRefusing, unknownTooLong } from "./conditions"
import { deliver, observe } from "./service"

export const ALERT_JOB = "alerts"

// Stripe's answers counted by this process (tdk_stripe_requests_total) at the
// last evaluation, per metric registry (one per runtime).
const lastStripe = new WeakMap<object, { ok: number; failed: number }>()

const stripeSinceLast = Effect.gen(function* () {
  const registry = yield* Metric.MetricRegistry
  const totals = { ok: 0, failed: 0 }
  for (const m of yield* Metric.snapshot) {
    if (m.id !== "tdk_stripe_requests_total" || m.type !== "Counter") continue
    const n = Number((m.state as { count: number | bigint }).count)
    // Stripe unreachable, overloaded or answering 5xx: what "refusing requests" means here. A 4xx about
    // one request (a duplicate meter event, a bad parameter) is that request's problem, not Stripe's.
    const outcome = m.attributes?.outcome
    if (outcome === "ok") totals.ok += n
    else if (outcome === "retry" || outcome === "indeterminate") totals.failed += n
  }
  const before = lastStripe.get(registry) ?? { ok: 0, failed: 0 }
  lastStripe.set(registry, totals)
  return { ok: totals.ok - before.ok, failed: totals.failed - before.failed }
})

export const evaluateAlerts = Effect.fn("Alerts.evaluate")(function* () {
  const config = yield* AppConfig
  const store = yield* Store
  const now = yield* Clock.currentTimeMillis
  const wallets = yield* store.wallets.list()
  const usage = yield* store.usage.gauges(periodOf(now))
  const held = yield* store.wallets.storageHolders(wallets.filter((w) => w.status === "retired" && w.environment === "live").map((w) => w.id))
  const thresholds = thresholdsOf(config)
  yield* observe("wallet_low", lowWallets(wallets, (w) => (held.has(w.id) ? payingStatus(w, thresholds) : w.status)))
  yield* observe("pool_total_low", poolBelowFloor(wallets, config.poolAlertTotalUsdc))
  yield* observe("usage_unknown", unknownTooLong(usage.unknown, usage.unknownOldestAt, now))
  yield* observe("outbox_stale", outboxTooOld(usage.outboxPending, usage.outboxOldestAt, now))
  // A quiet interval says nothing about Stripe: the alert stays as it is.
  const stripe = yield* stripeSinceLast
  if (stripe.ok + stripe.failed > 0) yield* observe("stripe_refusing", stripeRefusing(stripe))
  yield* deliver()
})

export const runAlertJob = withJobLock(ALERT_JOB, evaluateAlerts()).pipe(
  Effect.catchCause((cause) => Effect.as(Effect.logError("alert evaluation failed", { cause: Cause.pretty(cause) }), { ran: false as const })),
)

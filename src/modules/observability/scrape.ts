// The Prometheus text of a scrape: the counters and histograms the code
// updates as it works (platform/metrics.ts, from the runtime's registry),
// then the gauges of state that lives in the database, read now.
import { Clock, Effect } from "effect"
import { PrometheusMetrics } from "effect/observability"
import { periodOf } from "../../platform/period"
import { count, gaugeLines, LIMIT_KINDS, limitRefusals } from "../../platform/metrics"
import { Store } from "../../store/store"
import { ENVIRONMENTS } from "../../platform/environments"

export const scrape = Effect.fn("Metrics.scrape")(function* () {
  const store = yield* Store
  const now = yield* Clock.currentTimeMillis
  // Every refusal kind is a series from the start, so a rate over it is defined before the first refusal.
  for (const kind of LIMIT_KINDS) yield* count(limitRefusals, { kind }, 0)
  const counted = yield* PrometheusMetrics.format()
  const usage = yield* store.usage.gauges(periodOf(now))
  const wallets = (yield* store.wallets.list()).filter((w) => w.status !== "retired")
  const byWallet = (value: (w: (typeof wallets)[number]) => number) => wallets.map((w) => ({ labels: { wallet: w.publicKey, status: w.status, environment: w.environment }, value: value(w) }))
  const gauges = [
    gaugeLines("tdk_usage_rows", "Usage rows by state: pending and unknown (in flight or being reconciled) and failed, all time; settled, this month (UTC)", [
      { labels: { state: "pending" }, value: usage.pending },
      { labels: { state: "unknown" }, value: usage.unknown },
      { labels: { state: "failed" }, value: usage.failed },
      { labels: { state: "settled" }, value: usage.settledThisMonth },
    ]),
    gaugeLines("tdk_outbox_pending", "Billable usage rows not yet accepted by Stripe", [{ labels: {}, value: usage.outboxPending }]),
    gaugeLines("tdk_outbox_oldest_age_seconds", "Age of the oldest billable row not yet accepted by Stripe, seconds (0 when none waits)", [
      { labels: {}, value: usage.outboxOldestAt === null ? 0 : Math.max(0, Math.round((now - usage.outboxOldestAt) / 1000)) },
    ]),
    gaugeLines("tdk_pool_wallet_usdc_micro", "A pool wallet's USDC at its last balance check, micro-USD", byWallet((w) => w.usdcBalance)),
    gaugeLines("tdk_pool_wallet_lamports", "A pool wallet's SOL at its last balance check, lamports", byWallet((w) => w.lamports)),
    gaugeLines("tdk_pool_total_usdc_micro", "USDC in the pool's wallets that are not retired, micro-USD, by environment", ENVIRONMENTS.map((environment) => ({
      labels: { environment },
      value: wallets.filter((w) => w.environment === environment).reduce((n, w) => n + w.usdcBalance, 0),
    }))),
  ]
  return `${counted.trimEnd()}\n${gauges.join("\n")}\n`
})

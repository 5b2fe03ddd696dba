// The gateway's Prometheus metrics: what the code counts as it works. Label
// values are bounded (agent ids, statuses, tiers, operation names), never a
// key id. The gauges of state that lives in the database (usage rows, the
// Stripe outbox, wallet balances) are read when /metrics is scraped
// (modules/observability), so they are never stale and never left behind by
// a wallet that went away.
import { Cause, Context, Effect, Exit, Metric, Option } from "effect"

export const callsTotal = Metric.counter("tdk_calls_total", { description: "Agent calls answered, by agent and HTTP status" })

/** Seconds; `part` is total, marketplace (time in marketplace requests) or gateway (the rest). */
export const callDuration = Metric.histogram("tdk_call_duration_seconds", {
  description: "Agent call duration in seconds: part=total, marketplace (the marketplace's requests) or gateway (the gateway's own share)",
  boundaries: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
})

export const spendTotal = Metric.counter("tdk_spend_micro_usd_total", { description: "Developer spend of settled calls in micro-USD, by the key's tier" })

export const limitRefusals = Metric.counter("tdk_limit_refusals_total", { description: "Calls refused by a limit: kind=rate, concurrency, quota or spend_cap" })
export const LIMIT_KINDS = ["rate", "concurrency", "quota", "spend_cap"] as const

export const stripeRequests = Metric.counter("tdk_stripe_requests_total", { description: "Requests to Stripe by operation and outcome (ok, or the failure kind)" })

export const marketplaceRequests = Metric.counter("tdk_marketplace_requests_total", { description: "Requests to the marketplace by operation and outcome (ok, or the failure)" })

/** Adds `n` to `counter` under `labels`. */
export const count = (counter: Metric.Counter<number>, labels: Record<string, string>, n = 1) => Metric.update(Metric.withAttributes(counter, labels), n)

/** ok, the failure's label (its tag unless `label` says), interrupted or defect: a bounded label. */
export const outcomeOf = <E>(exit: Exit.Exit<unknown, E>, label?: (error: E) => string): string => {
  if (Exit.isSuccess(exit)) return "ok"
  const error = Cause.findErrorOption(exit.cause)
  if (Option.isSome(error)) {
    if (label) return label(error.value)
    const tag = (error.value as { _tag?: unknown } | null)?._tag
    return typeof tag === "string" ? tag : "error"
  }
  return Cause.hasInterrupts(exit.cause) ? "interrupted" : "defect"
}

/** Counts `effect` under `counter` by operation and outcome, and reports its wall time (ms) to `onTime`. */
export const measured = <A, E, R>(
  counter: Metric.Counter<number>,
  operation: string,
  effect: Effect.Effect<A, E, R>,
  options: { readonly onTime?: (ms: number) => Effect.Effect<void>; readonly failure?: (error: E) => string } = {},
) =>
  Effect.suspend(() => {
    const started = performance.now()
    return effect.pipe(
      Effect.onExit((exit) => Effect.andThen(options.onTime ? options.onTime(performance.now() - started) : Effect.void, count(counter, { operation, outcome: outcomeOf(exit, options.failure) }))),
    )
  })

/**
 * Time one call spends in marketplace requests, ms, added to by the
 * marketplace client while the call's pipeline runs; absent elsewhere.
 */
export const CallTimings = Context.Reference<{ marketplaceMs: number; agent?: string } | undefined>("tdk/CallTimings", { defaultValue: () => undefined })

/** Names the call's agent for its metrics, once the marketplace has shown it exists (a path cannot mint label values). */
export const nameCallAgent = (agentId: string) =>
  Effect.gen(function* () {
    const timings = yield* CallTimings
    if (timings) timings.agent = agentId
  })

export const addMarketplaceTime = (ms: number) =>
  Effect.gen(function* () {
    const timings = yield* CallTimings
    if (timings) timings.marketplaceMs += ms
  })

export type GaugeSample = { readonly labels: Readonly<Record<string, string>>; readonly value: number }

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')

/** One gauge family in the Prometheus text format. */
export const gaugeLines = (name: string, help: string, samples: ReadonlyArray<GaugeSample>): string => {
  const lines = [`# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`, `# TYPE ${name} gauge`]
  for (const s of samples) {
    const labels = Object.entries(s.labels)
    lines.push(`${name}${labels.length === 0 ? "" : `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`} ${Number.isFinite(s.value) ? s.value : 0}`)
  }
  return lines.join("\n")
}

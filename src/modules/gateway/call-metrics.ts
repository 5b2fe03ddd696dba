// What an agent call adds to the metrics when it ends: one call by agent and
// status, its duration split into the marketplace's share and the gateway's,
// and a limit refusal by kind.
import { Cause, Effect, Exit, Metric, Option } from "effect"
import { Problems } from "../../platform/http/problems-service"
import { callDuration, callsTotal, count, limitRefusals, type LIMIT_KINDS } from "../../platform/metrics"

const LIMIT_OF: Readonly<Record<string, (typeof LIMIT_KINDS)[number]>> = {
  RateLimited: "rate",
  ConcurrencyLimitExceeded: "concurrency",
  QuotaExhausted: "quota",
  SpendCapReached: "spend_cap",
}

// Labelled once: these label sets never change, and labelling builds a metric.
const duration = {
  total: Metric.withAttributes(callDuration, { part: "total" }),
  marketplace: Metric.withAttributes(callDuration, { part: "marketplace" }),
  gateway: Metric.withAttributes(callDuration, { part: "gateway" }),
}

const statusOfSuccess = (value: unknown): number => {
  if (value instanceof Response) return value.status
  const status = (value as { status?: unknown } | null)?.status
  return typeof status === "number" ? status : 200
}

export const recordCall = (exit: Exit.Exit<unknown, unknown>, agent: string, marketplaceMs: number, startedAt: number) =>
  Effect.gen(function* () {
    const totalMs = performance.now() - startedAt
    let status = 500
    if (Exit.isSuccess(exit)) status = statusOfSuccess(exit.value)
    else {
      const error = Cause.findErrorOption(exit.cause)
      const tag = Option.isSome(error) ? (error.value as { _tag?: unknown })._tag : undefined
      if (typeof tag === "string") {
        status = (yield* Problems).statusOf(tag) ?? 500
        const kind = LIMIT_OF[tag]
        if (kind) yield* count(limitRefusals, { kind })
      } else if (Cause.hasInterrupts(exit.cause)) status = 499
    }
    yield* count(callsTotal, { agent, status: String(status) })
    const seconds = (ms: number) => Math.max(0, ms) / 1000
    yield* Metric.update(duration.total, seconds(totalMs))
    yield* Metric.update(duration.marketplace, seconds(marketplaceMs))
    yield* Metric.update(duration.gateway, seconds(totalMs - marketplaceMs))
  })

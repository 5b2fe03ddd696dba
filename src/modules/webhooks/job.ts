// Drains the developer webhook outbox every few seconds, one instance at a time.
import { Cause, Clock, Effect } from "effect"
import { Store } from "../../store/store"
import { withJobLock } from "../../platform/jobs/lock"
import { deliverDue } from "./delivery"

export const WEBHOOK_JOB = "developer-webhooks"
/** Every 5 seconds (croner's six-field form). */
export const WEBHOOK_CRON = "*/5 * * * * *"

/**
 * Delivered and failed rows are kept 35 days: long enough that a fact named
 * once a month (a quota threshold) is still recognised, and no longer. At
 * most once an hour per process, 10,000 rows at a time.
 */
export const RETENTION_MS = 35 * 86_400_000
let lastPrune = 0

export const pruneDeliveries = Effect.fn("Webhooks.prune")(function* () {
  const now = yield* Clock.currentTimeMillis
  if (now - lastPrune < 3_600_000) return 0
  lastPrune = now
  const store = yield* Store
  return yield* store.webhooks.prune(now - RETENTION_MS, 10_000)
})

export const runWebhookJob = withJobLock(WEBHOOK_JOB, Effect.andThen(deliverDue(), pruneDeliveries())).pipe(
  Effect.catchCause((cause) => Effect.as(Effect.logError("developer webhook delivery failed", { cause: Cause.pretty(cause) }), { ran: false as const })),
)

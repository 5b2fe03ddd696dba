// Drains the developer webhook outbox every few seconds, one instance at a time.
import { Cause, Effect } from "effect"
import { withJobLock } from "../../platform/jobs/lock"
import { deliverDue } from "./delivery"

export const WEBHOOK_JOB = "developer-webhooks"
/** Every 5 seconds (croner's six-field form). */
export const WEBHOOK_CRON = "*/5 * * * * *"

export const runWebhookJob = withJobLock(WEBHOOK_JOB, deliverDue()).pipe(
  Effect.catchCause((cause) => Effect.as(Effect.logError("developer webhook delivery failed", { cause: Cause.pretty(cause) }), { ran: false as const })),
)

// The monthly close: writes last month's billing periods from the ledger.
// Idempotent (a rerun recomputes the same totals), one instance at a time
// (job lock), and a failure is logged, never thrown into the scheduler.
import { Cause, Effect } from "effect"
import { withJobLock } from "../../platform/jobs/lock"
import { closeBillingPeriod } from "./service"

export const BILLING_CLOSE_JOB = "billing-close"

export const runBillingCloseJob = withJobLock(BILLING_CLOSE_JOB, closeBillingPeriod()).pipe(
  Effect.tap((r) => (r.ran ? Effect.void : Effect.logInfo("billing period close skipped: another instance is running it"))),
  Effect.catchCause((cause) => Effect.as(Effect.logError("billing period close failed", { cause: Cause.pretty(cause) }), { ran: false as const })),
)

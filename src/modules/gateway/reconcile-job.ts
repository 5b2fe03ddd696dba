// The scheduled reconciliation of unknown calls: one instance at a time, and
// a failure is logged, never thrown into the scheduler.
import { Cause, Effect } from "effect"
import { withJobLock } from "../../platform/jobs/lock"
import { reconcileUnknownCalls } from "./reconciler"

export const RECONCILE_JOB = "usage-reconcile"

export const runReconcileJob = withJobLock(RECONCILE_JOB, reconcileUnknownCalls()).pipe(
  Effect.catchCause((cause) => Effect.as(Effect.logError("usage reconciliation failed", { cause: Cause.pretty(cause) }), { ran: false as const })),
)

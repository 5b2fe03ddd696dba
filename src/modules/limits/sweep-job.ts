// The hourly sweep of idle limiter state (Postgres only has any): one
// instance at a time; a failure is logged, never thrown into the scheduler.
import { Cause, Clock, Effect } from "effect"
import { withJobLock } from "../../platform/jobs/lock"
import { LimitsBackend } from "./backend"

export const LIMITS_SWEEP_JOB = "limits-sweep"
/** Minute 40 of every hour, UTC: apart from the other hourly jobs. */
export const LIMITS_SWEEP_CRON = "40 * * * *"

export const runLimitsSweepJob = withJobLock(
  LIMITS_SWEEP_JOB,
  Effect.gen(function* () {
    const store = yield* LimitsBackend
    const swept = yield* store.sweep(yield* Clock.currentTimeMillis)
    if (swept > 0) yield* Effect.logInfo("idle limiter state swept", { rows: swept })
    return swept
  }),
).pipe(Effect.catchCause((cause) => Effect.as(Effect.logError("limiter sweep failed", { cause: Cause.pretty(cause) }), { ran: false as const })))

// The scheduled balance check: one instance at a time (job lock), and a
// failure is logged, never thrown into the scheduler.
import { Cause, Effect } from "effect"
import { withJobLock } from "../../platform/jobs/lock"
import { checkBalances } from "./balances"

export const BALANCE_JOB = "pool-balances"

export const runBalanceJob = withJobLock(BALANCE_JOB, checkBalances()).pipe(
  Effect.tap((r) => (r.ran ? Effect.void : Effect.logInfo("pool balance check skipped: another instance is running it"))),
  Effect.catchCause((cause) => Effect.as(Effect.logError("pool balance check failed", { cause: Cause.pretty(cause) }), { ran: false as const })),
)

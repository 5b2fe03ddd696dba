// In-process scheduled jobs, mounted by `tdk serve` only (tests run a job's
// Effect directly instead of waiting for a schedule). Each job takes the
// job lock itself (platform/jobs/lock.ts), so several instances may all
// schedule it. The
// Stripe usage reporter is not here: `tdk serve` runs it continuously.
import { cron } from "@elysiajs/cron"
import type { Effect } from "effect"
import { Elysia } from "elysia"
import { AUDIT_JOB, runAuditJob } from "../modules/audit/job"
import { ALERT_JOB, runAlertJob } from "../modules/alerts/job"
import { runWebhookJob, WEBHOOK_CRON, WEBHOOK_JOB } from "../modules/webhooks/job"
import { LIMITS_SWEEP_CRON, LIMITS_SWEEP_JOB, runLimitsSweepJob } from "../modules/limits/sweep-job"
import { BILLING_CLOSE_JOB, runBillingCloseJob } from "../modules/billing/close-job"
import { RECONCILE_JOB, runReconcileJob } from "../modules/gateway/reconcile-job"
import { BALANCE_JOB, runBalanceJob } from "../modules/pool/balance-job"
import { runTestPoolJob, TEST_POOL_CRON, TEST_POOL_JOB } from "../modules/pool/test-pool"
import type { Config } from "../platform/config/config"
import type { AppRunner, AppServices } from "./layers"

type Job = { readonly name: string; readonly pattern: string; readonly run: Effect.Effect<unknown, never, AppServices> }

const jobsOf = (config: Config): ReadonlyArray<Job> => [
  { name: BALANCE_JOB, pattern: config.poolBalanceCron, run: runBalanceJob },
  { name: RECONCILE_JOB, pattern: config.reconcileCron, run: runReconcileJob },
  { name: BILLING_CLOSE_JOB, pattern: config.billingCloseCron, run: runBillingCloseJob },
  { name: AUDIT_JOB, pattern: config.auditCron, run: runAuditJob },
  { name: ALERT_JOB, pattern: config.alertCron, run: runAlertJob },
  { name: WEBHOOK_JOB, pattern: WEBHOOK_CRON, run: runWebhookJob },
  { name: LIMITS_SWEEP_JOB, pattern: LIMITS_SWEEP_CRON, run: runLimitsSweepJob },
  { name: TEST_POOL_JOB, pattern: TEST_POOL_CRON, run: runTestPoolJob },
]

export const cronJobs = (config: Config, runtime: AppRunner) => {
  // `use` registers on the instance itself; the cron store's type is not needed.
  const app = new Elysia({ name: "tdk-cron" })
  for (const job of jobsOf(config)) {
    app.use(
      cron({
        name: job.name,
        pattern: job.pattern,
        timezone: "Etc/UTC",
        // A run still going when the next is due is not doubled.
        protect: true,
        run: () => runtime.runPromise(job.run),
      }),
    )
  }
  return app
}

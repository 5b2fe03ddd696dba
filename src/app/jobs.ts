// In-process scheduled jobs, mounted by `tdk serve` only (tests run a job's
// Effect directly instead of waiting for a schedule). Each job takes the
// Postgres job lock itself, so several instances may all schedule it. The
// Stripe usage reporter is not here: `tdk serve` runs it continuously.
import { cron } from "@elysiajs/cron"
import { Elysia } from "elysia"
import { BILLING_CLOSE_JOB, runBillingCloseJob } from "../modules/billing/close-job"
import { BALANCE_JOB, runBalanceJob } from "../modules/pool/balance-job"
import type { Config } from "../platform/config/config"
import type { AppRuntime } from "./layers"

export const cronJobs = (config: Config, runtime: AppRuntime) =>
  new Elysia({ name: "tdk-cron" }).use(
    cron({
      name: BALANCE_JOB,
      pattern: config.poolBalanceCron,
      timezone: "Etc/UTC",
      // A run still going when the next is due is not doubled.
      protect: true,
      run: () => runtime.runPromise(runBalanceJob),
    }),
  ).use(
    cron({
      name: BILLING_CLOSE_JOB,
      pattern: config.billingCloseCron,
      timezone: "Etc/UTC",
      protect: true,
      run: () => runtime.runPromise(runBillingCloseJob),
    }),
  )

// `tdk serve` as one scope, top to bottom: migrate (unless told not to),
// start the Stripe reporter, listen, schedule the jobs, then create the
// sandbox pools in the background. Closing the scope (a signal) undoes it in
// reverse: the bootstrap is interrupted, the jobs stop, the server stops
// accepting and lets in-flight requests and keyed calls finish within
// SHUTDOWN_GRACE_MS, the reporter stops (rows in flight stay leased and are
// resent; Stripe drops repeats by identifier), then the services close (the
// database last).
import { Cause, Duration, Effect, Layer } from "effect"
import { defaultReporterOptions, runReporter } from "../modules/billing/reporter"
import { DetachedCalls } from "../modules/gateway/detached-calls"
import { bootstrapSandboxPool } from "../modules/pool/sandbox-bootstrap"
import type { Config } from "../platform/config/config"
import { Database } from "../platform/db/database"
import { runMigrations } from "../platform/db/migrations"
import { VERSION } from "../version"
import { createApp } from "./app"
import { cronJobs } from "./jobs"
import { appLayer, runnerOf, type AppServices } from "./layers"
import { listen } from "./server"

const migrate = (config: Config) =>
  Effect.gen(function* () {
    if (!config.migrateOnStart) return
    const handle = yield* Database
    yield* Effect.promise(() => runMigrations(handle))
  })

/** The scheduled jobs, started on the app's services and stopped when the scope closes. */
const schedule = (config: Config) =>
  Effect.acquireRelease(
    Effect.map(Effect.context<AppServices>(), (services) => cronJobs(config, runnerOf(services))),
    (jobs) => Effect.sync(() => {
      for (const job of Object.values((jobs.store as { cron?: Record<string, { stop: () => void }> }).cron ?? {})) job.stop()
    }),
  )

/** The listening server; released by a graceful stop. */
const serve = (config: Config) =>
  Effect.acquireRelease(
    Effect.gen(function* () {
      const app = createApp(config, runnerOf(yield* Effect.context<AppServices>()))
      const server = listen(config, (request) => app.handle(request))
      const url = `http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${server.port}`
      yield* Effect.logInfo(`TDK Core ${VERSION} listening on ${url}: console ${url}/console, API docs ${url}/docs`, {
        url,
        console: `${url}/console`,
        ...(config.adminToken === undefined ? {} : { operator_console: `${url}/console/admin` }),
        docs: `${url}/docs`,
        version: VERSION,
        network: config.network,
        database: (yield* Database).kind,
      })
      return server
    }),
    (server) =>
      Effect.gen(function* () {
        yield* Effect.logInfo("shutting down")
        const deadline = Date.now() + config.shutdownGraceMs
        yield* Effect.promise(() => server.stop(false)).pipe(Effect.timeoutOption(Duration.millis(config.shutdownGraceMs)))
        // Keyed calls whose clients left are not requests any more, but may be paying.
        const unfinished = yield* Effect.flatMap(DetachedCalls, (calls) => calls.drain(deadline - Date.now()))
        if (unfinished > 0) yield* Effect.logWarning("shutdown grace over with keyed calls still running; their keys stay in flight until they expire", { calls: unfinished })
        server.stop(true)
      }),
  )

const processSteps = (config: Config) =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      yield* migrate(config)
      // Reports settled usage to Stripe in the background (ends at once when Stripe is off).
      yield* Effect.forkScoped(runReporter({ ...defaultReporterOptions, leaseMs: config.stripeReportLeaseMs }))
      yield* serve(config)
      // Closed first on shutdown: no job starts while the server drains.
      yield* schedule(config)
      // After listening: on the sandbox the balance check reads this very server.
      yield* Effect.forkScoped(
        bootstrapSandboxPool().pipe(Effect.catchCause((cause) => (Cause.hasInterruptsOnly(cause) ? Effect.void : Effect.logError("sandbox pool bootstrap failed", { cause: Cause.pretty(cause) })))),
      )
    }),
  )

/** The whole server process over the application's services: launch it, interrupt it to stop. */
export const serverProcess = (config: Config) => processSteps(config).pipe(Layer.provide(appLayer(config)))


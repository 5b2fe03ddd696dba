// `tdk serve`: migrate (unless told not to), listen, and shut down gracefully
// on SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close the
// database.
import { Cause, Effect, Fiber } from "effect"
import { createApp } from "../app/app"
import { cronJobs } from "../app/jobs"
import { runReporter } from "../modules/billing/reporter"
import { DetachedCalls } from "../modules/gateway/detached-calls"
import { makeRuntime } from "../app/layers"
import { listen } from "../app/server"
import { MasterKeyConfigError } from "../modules/pool/keyring"
import { bootstrapSandboxPool } from "../modules/pool/sandbox-bootstrap"
import { Database } from "../platform/db/database"
import { runMigrations } from "../platform/db/migrations"
import { VERSION } from "../version"
import type { Command } from "./commands"
import { loadConfigOrExit } from "./load-config"

export const serveCommand: Command = {
  words: ["serve"],
  summary: "Start the gateway HTTP server",
  usage: "",
  run: async () => {
    const config = loadConfigOrExit()
    const runtime = makeRuntime(config)
    const handle = await runtime.runPromise(Effect.gen(function* () {
      return yield* Database
    })).catch(async (e: unknown) => {
      if (!(e instanceof MasterKeyConfigError)) throw e
      process.stderr.write(`config error: ${e.message}\n`)
      process.exit(2)
    })
    if (config.migrateOnStart) await runMigrations(handle)
    const app = createApp(config, runtime).use(cronJobs(config, runtime))
    // Reports settled usage to Stripe in the background (returns at once when Stripe is off).
    const reporter = runtime.runFork(runReporter())
    const server = listen(config, (request) => app.handle(request))
    await runtime.runPromise(Effect.logInfo("listening", { url: `http://${config.host}:${server.port}`, version: VERSION, network: config.network, database: handle.kind }))

    let stopping = false
    const shutdown = async (signal: string) => {
      if (stopping) return
      stopping = true
      await runtime.runPromise(Effect.logInfo("shutting down", { signal }))
      for (const job of Object.values((app.store as { cron?: Record<string, { stop: () => void }> }).cron ?? {})) job.stop()
      const deadline = Date.now() + config.shutdownGraceMs
      const grace = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref())
      await Promise.race([server.stop(false), grace])
      // Keyed calls whose clients left are not requests any more, but may be paying.
      const unfinished = await runtime.runPromise(Effect.flatMap(DetachedCalls, (calls) => calls.drain(deadline - Date.now())))
      if (unfinished > 0) await runtime.runPromise(Effect.logWarning("shutdown grace over with keyed calls still running; their keys stay in flight until they expire", { calls: unfinished }))
      server.stop(true)
      // Rows in flight stay leased and are resent after the lease; Stripe drops the repeats by identifier.
      await runtime.runPromise(Fiber.interrupt(reporter))
      await runtime.dispose()
      process.exit(0)
    }
    process.on("SIGTERM", () => void shutdown("SIGTERM"))
    process.on("SIGINT", () => void shutdown("SIGINT"))
    // After listening (on the sandbox the balance check reads this very
    // server) and in the background, so a signal during it still shuts down
    // cleanly; shutdown interrupts it.
    runtime
      .runPromise(bootstrapSandboxPool().pipe(Effect.catchCause((cause) => (Cause.hasInterruptsOnly(cause) ? Effect.void : Effect.logError("sandbox pool bootstrap failed", { cause: Cause.pretty(cause) })))))
      .catch(() => undefined)
    return new Promise<number>(() => {})
  },
}

// Runs one Effect program for a CLI command on the full application runtime
// (migrated database, configured services), printing typed failures as one
// line instead of a stack.
import { Cause, type Effect, Exit } from "effect"
import { isAppError, toProblem, type AppError } from "../app/error-map"
import { makeRuntime, type AppLayerOptions, type AppRuntime, type AppServices } from "../app/layers"
import type { Config } from "../platform/config/config"
import { Database } from "../platform/db/database"
import { runMigrations } from "../platform/db/migrations"
import { loadConfigOrExit } from "./load-config"

/** A runtime for one command: configured services over the database, migrated first when configured; disposed after `use`. */
export const withCliRuntime = async <T>(options: AppLayerOptions & { readonly logLevel?: Config["logLevel"] }, use: (runtime: AppRuntime) => Promise<T>): Promise<T> => {
  const config = loadConfigOrExit()
  const runtime = makeRuntime(options.logLevel ? { ...config, logLevel: options.logLevel } : config, options)
  try {
    const handle = await runtime.runPromise(Database)
    if (config.migrateOnStart) await runMigrations(handle)
    return await use(runtime)
  } finally {
    await runtime.dispose()
  }
}

/** Runs `program` and prints its result; the exit code is 1 on a failure, else what `print` returns (default 0). */
export const runCli = <A>(program: Effect.Effect<A, AppError, AppServices>, print: (a: A) => number | void): Promise<number> =>
  // CLI output is for people; keep JSON log lines for warnings and worse.
  withCliRuntime({ logLevel: "warn" }, async (runtime) => {
    const exit = await runtime.runPromiseExit(program)
    if (Exit.isSuccess(exit)) {
      return print(exit.value) ?? 0
    }
    printFailure(exit.cause)
    return 1
  })

/** A failed program's typed error as one line: its problem's detail, never a stack or a secret. */
export const printFailure = (cause: Cause.Cause<unknown>): void => {
  const failure = Cause.findErrorOption(cause)
  if (failure._tag === "Some" && isAppError(failure.value)) console.error(`error: ${toProblem(failure.value, "cli").body.detail}`)
  else console.error("error: unexpected failure (see the log)")
}

export const flag = (flags: Readonly<Record<string, string | true>>, name: string): string | undefined => {
  const v = flags[name]
  return typeof v === "string" ? v : undefined
}

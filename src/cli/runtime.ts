// Runs one Effect program for a CLI command on the full application runtime
// (migrated database, configured services), printing typed failures as one
// line instead of a stack.
import { Cause, Effect, Exit } from "effect"
import { isAppError, toProblem, type AppError } from "../app/error-map"
import { makeRuntime, type AppServices } from "../app/layers"
import { Database } from "../platform/db/database"
import { runMigrations } from "../platform/db/migrations"
import { loadConfigOrExit } from "./load-config"

export const runCli = async <A>(program: Effect.Effect<A, AppError, AppServices>, print: (a: A) => void): Promise<number> => {
  const config = loadConfigOrExit()
  // CLI output is for people; keep JSON log lines for warnings and worse.
  const runtime = makeRuntime({ ...config, logLevel: "warn" })
  try {
    const handle = await runtime.runPromise(Effect.gen(function* () {
      return yield* Database
    }))
    if (config.migrateOnStart) await runMigrations(handle)
    const exit = await runtime.runPromiseExit(program)
    if (Exit.isSuccess(exit)) {
      print(exit.value)
      return 0
    }
    const failure = Cause.findErrorOption(exit.cause)
    if (failure._tag === "Some" && isAppError(failure.value)) console.error(`error: ${toProblem(failure.value, "cli").body.detail}`)
    else console.error("error: unexpected failure (see the log)")
    return 1
  } finally {
    await runtime.dispose()
  }
}

export const flag = (flags: Readonly<Record<string, string | true>>, name: string): string | undefined => {
  const v = flags[name]
  return typeof v === "string" ? v : undefined
}

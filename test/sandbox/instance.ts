// A sandbox on its own, as a gateway process opens it: the Sandbox layer over
// a gateway database handle and a config, in its own runtime. Two of these
// over one Postgres database are two gateway instances.
import { Database as BunSqlite } from "bun:sqlite"
import { Effect, Layer, ManagedRuntime } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Sandbox, type SandboxShape } from "../../src/modules/sandbox/service"
import type { Config } from "../../src/platform/config/config"
import { AppConfig } from "../../src/platform/config/service"
import { Database, type DatabaseHandle } from "../../src/platform/db/database"
import { testConfig } from "../support/app"
import { freshDatabase, type Dialect } from "../support/db"

export type SandboxInstance = {
  readonly run: <A, E>(f: (s: SandboxShape) => Effect.Effect<A, E>) => Promise<A>
  readonly exit: <A, E>(f: (s: SandboxShape) => Effect.Effect<A, E>) => ReturnType<typeof Effect.runPromiseExit<A, E>>
  readonly dispose: () => Promise<void>
}

export const openInstance = (handle: DatabaseHandle, config: Config): SandboxInstance => {
  const runtime = ManagedRuntime.make(Sandbox.layer.pipe(Layer.provide(Layer.merge(Database.fromHandle(handle), AppConfig.layer(config)))))
  return {
    run: (f) => runtime.runPromise(Sandbox.use(f)),
    exit: (f) => runtime.runPromiseExit(Sandbox.use(f)),
    dispose: () => runtime.dispose(),
  }
}

/** The config a gateway over `dialect` at `url` has; DATA_DIR is a fresh directory, and a SQLite gateway is a file there. */
export const instanceConfig = (dialect: Dialect, url: string, env: Record<string, string> = {}): Config => {
  const dir = mkdtempSync(join(tmpdir(), "tdk-sandbox-"))
  return testConfig({ DATA_DIR: dir, DATABASE_URL: dialect === "postgres" ? url : `sqlite:${join(dir, "tdk.db")}`, ...env })
}

/**
 * Rows of the sandbox's tables, read around the service (named `sandbox.x` on
 * both dialects). Postgres answers bigint columns as strings.
 */
export const sandboxRows = async <T = Record<string, unknown>>(dialect: Dialect, handle: DatabaseHandle, config: Config, text: string): Promise<Array<T>> => {
  if (dialect === "postgres") {
    if (handle.kind !== "postgres") throw new Error("expected a Postgres handle")
    return [...(await handle.client.unsafe(text))] as Array<T>
  }
  const file = new BunSqlite(":memory:")
  try {
    file.query("attach database ? as sandbox").run(join(config.dataDir, "sandbox.db"))
    return file.query(text).all() as Array<T>
  } finally {
    file.close()
  }
}

/** One sandbox over a fresh gateway database of `dialect`. */
export const freshSandbox = async (dialect: Dialect, env: Record<string, string> = {}) => {
  const db = await freshDatabase(dialect)
  const config = instanceConfig(dialect, db.url, env)
  const instance = openInstance(db.handle, config)
  return {
    ...instance,
    handle: db.handle,
    config,
    rows: <T = Record<string, unknown>>(text: string) => sandboxRows<T>(dialect, db.handle, config, text),
    close: async () => {
      await instance.dispose()
      await db.close()
    },
  }
}

// A fresh app over a fresh database, with logs captured for secret scans.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createApp } from "../../src/app/app"
import { makeRuntime, type AppLayerOptions, type AppRuntime } from "../../src/app/layers"
import { loadConfig, type Config } from "../../src/platform/config/config"
import { memorySink } from "../../src/platform/logging/logger"
import { closeDatabase, openDatabase } from "../../src/platform/db/database"
import { freshDatabase, type Dialect } from "./db"

export type TestApp = {
  readonly app: ReturnType<typeof createApp>
  readonly runtime: AppRuntime
  readonly config: Config
  readonly logs: Array<string>
  readonly dialect: Dialect
  readonly request: (path: string, init?: RequestInit & { json?: unknown }) => Promise<Response>
  readonly close: () => Promise<void>
  /** Closes only the database, to prove a path never queries it. */
  readonly closeDatabase: () => Promise<void>
  /** Postgres only: the database's URL, for a second instance over it. */
  readonly databaseUrl: string
}

/** A fixed master keyring for tests, so no test writes a sandbox key file. Pass `WALLET_ENCRYPTION_KEYS: ""` to unset it. */
export const TEST_MASTER_KEYS = `test1:${"11".repeat(32)}`

export const testConfig = (env: Record<string, string> = {}): Config =>
  loadConfig({ DATABASE_URL: "sqlite::memory:", LOG_LEVEL: "debug", WALLET_ENCRYPTION_KEYS: TEST_MASTER_KEYS, ...env })

export type TestAppOptions = Pick<AppLayerOptions, "clock"> & {
  /** Postgres only: another instance over this app's database (its own connection pool), as a second server would be. */
  readonly sameDatabaseAs?: TestApp
}

export const makeTestApp = async (dialect: Dialect, env: Record<string, string> = {}, testOptions: TestAppOptions = {}): Promise<TestApp> => {
  const { sameDatabaseAs, ...options } = testOptions
  const db = sameDatabaseAs ? sharedDatabase(sameDatabaseAs) : await freshDatabase(dialect)
  // On Postgres the config names the real database (backends such as the
  // Postgres limiter check it); files the process writes go to a temp dir.
  const dialectEnv: Record<string, string> = dialect === "postgres" ? { DATABASE_URL: db.url, DATA_DIR: mkdtempSync(join(tmpdir(), "tdk-test-")) } : {}
  const config = testConfig({ ...dialectEnv, ...env })
  const { lines, sink } = memorySink()
  const runtime = makeRuntime(config, { database: db.handle, sink, ...options })
  const app = createApp(config, runtime)
  const request = (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const { json, ...rest } = init
    const headers = new Headers(rest.headers)
    if (json !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json")
    return app.handle(new Request(`http://localhost${path}`, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) }))
  }
  return {
    app,
    runtime,
    config,
    logs: lines,
    dialect,
    request,
    close: async () => {
      await runtime.dispose()
      await db.close().catch(() => undefined)
    },
    closeDatabase: () => db.close(),
    databaseUrl: db.url,
  }
}

const sharedDatabase = (other: TestApp) => {
  if (other.dialect !== "postgres") throw new Error("only a Postgres database can be shared by two test apps")
  const handle = openDatabase({ dialect: "postgres", url: other.databaseUrl })
  return { handle, url: other.databaseUrl, close: () => closeDatabase(handle) }
}

/**
 * The first log line matching `match`, waited for: access lines and other
 * off-path writes land after the response. Fails the test if none comes, so a
 * scan that follows never runs over logs that are not there yet.
 */
export const waitForLog = async (logs: ReadonlyArray<string>, match: (line: string) => boolean, timeoutMs = 2000): Promise<string> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const line = logs.find(match)
    if (line !== undefined) return line
    if (Date.now() > deadline) throw new Error("expected log line never came")
    await Bun.sleep(5)
  }
}

/** Reads a response body once, keeping the text for failure messages. */
export const readJson = async (res: Response): Promise<{ status: number; body: any; text: string; headers: Headers }> => {
  const text = await res.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  return { status: res.status, body, text, headers: res.headers }
}

// Where the sandbox keeps its state: its own SQLite file beside a SQLite
// gateway (never the gateway's database), schema `sandbox` of a Postgres
// gateway's database (never its public schema); on every network.
import { afterAll, describe, expect, test } from "bun:test"
import { Database as BunSqlite } from "bun:sqlite"
import { Keypair } from "@solana/web3.js"
import { sql } from "drizzle-orm"
import { Effect } from "effect"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { openSqliteStore } from "../../src/modules/sandbox/store/sqlite"
import { openDatabase, closeDatabase } from "../../src/platform/db/database"
import { runMigrations } from "../../src/platform/db/migrations"
import { testConfig } from "../support/app"
import { dialects, freshDatabase } from "../support/db"
import { freshSandbox, instanceConfig, openInstance } from "./instance"

const SANDBOX_TABLES = ["agent_data", "intents", "meta", "receipts", "signatures", "sol_accounts", "token_accounts"]

const dirs: Array<string> = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

describe("the sandbox beside a SQLite gateway", () => {
  test("keeps its state in its own file in DATA_DIR; the gateway's database holds no sandbox table", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tdk-sandbox-store-"))
    dirs.push(dir)
    const gatewayPath = join(dir, "tdk.db")
    const gateway = openDatabase({ dialect: "sqlite", path: gatewayPath })
    await runMigrations(gateway)
    const config = testConfig({ DATA_DIR: dir, DATABASE_URL: `sqlite:${gatewayPath}` })
    const instance = openInstance(gateway, config)
    const wallet = Keypair.generate().publicKey.toBase58()
    try {
      await instance.run((s) => s.faucet({ wallet, sol: 1234 }))
    } finally {
      await instance.dispose()
      await closeDatabase(gateway)
    }
    const file = new BunSqlite(join(dir, "sandbox.db"), { readonly: true })
    const app = new BunSqlite(gatewayPath, { readonly: true })
    try {
      expect(file.query<{ lamports: number }, [string]>("select lamports from sol_accounts where address = ?").get(wallet)).toEqual({ lamports: 1234 })
      const appTables = app.query<{ name: string }, []>("select name from sqlite_master where type = 'table'").all().map((t) => t.name)
      expect(appTables.length).toBeGreaterThan(0)
      for (const t of SANDBOX_TABLES) expect(appTables).not.toContain(t)
    } finally {
      file.close()
      app.close()
    }
  })

  test("its file is in WAL mode and commits without a sync (synchronous NORMAL), as the gateway's own file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tdk-sandbox-store-"))
    dirs.push(dir)
    const opened = openSqliteStore(join(dir, "sandbox.db"))
    try {
      const pragma = (name: string) => Effect.runSync(opened.store.rows<Record<string, unknown>>(sql.raw(`PRAGMA sandbox.${name}`)))[0]
      expect(pragma("journal_mode")).toEqual({ journal_mode: "wal" })
      expect(pragma("synchronous")).toEqual({ synchronous: 1 })
    } finally {
      opened.close()
    }
  })

  test("is opened on devnet too: its state is there for test keys, in the same file", async () => {
    const config = instanceConfig("sqlite", "", { TETTO_NETWORK: "devnet" })
    dirs.push(config.dataDir)
    const db = await freshDatabase("sqlite")
    const instance = openInstance(db.handle, config)
    const wallet = Keypair.generate().publicKey.toBase58()
    try {
      expect(await instance.run((s) => s.faucet({ wallet, usdc: 5 }))).toMatchObject({ ok: true, usdc_balance: 5 })
    } finally {
      await instance.dispose()
      await db.close()
    }
    expect(existsSync(join(config.dataDir, "sandbox.db"))).toBe(true)
  })
})

describe.skipIf(!dialects.includes("postgres"))("the sandbox beside a Postgres gateway", () => {
  test("keeps its state in schema `sandbox` of the gateway's database, writes no file, and is opened on mainnet too", async () => {
    const s = await freshSandbox("postgres", { TETTO_NETWORK: "mainnet" })
    dirs.push(s.config.dataDir)
    try {
      const wallet = Keypair.generate().publicKey.toBase58()
      await s.run((x) => x.faucet({ wallet, sol: 42 }))
      expect((await s.rows<{ lamports: string }>(`select lamports from sandbox.sol_accounts where address = '${wallet}'`)).map((r) => Number(r.lamports))).toEqual([42])
      const tables = await s.rows<{ table_schema: string; table_name: string }>(
        `select table_schema, table_name from information_schema.tables where table_name in (${SANDBOX_TABLES.map((t) => `'${t}'`).join(", ")}) order by table_name`,
      )
      expect(tables).toEqual(SANDBOX_TABLES.map((table_name) => ({ table_schema: "sandbox", table_name })))
      expect(existsSync(join(s.config.dataDir, "sandbox.db"))).toBe(false)
    } finally {
      await s.close()
    }
  })

  test("`drop schema sandbox cascade` removes it and leaves the gateway's tables; the next start creates it again, empty", async () => {
    const db = await freshDatabase("postgres")
    if (db.handle.kind !== "postgres") throw new Error("expected Postgres")
    const client = db.handle.client
    const config = instanceConfig("postgres", db.url)
    dirs.push(config.dataDir)
    const wallet = Keypair.generate().publicKey.toBase58()
    try {
      const first = openInstance(db.handle, config)
      await first.run((s) => s.faucet({ wallet, sol: 7 }))
      await first.dispose()
      const publicBefore = (await client.unsafe("select count(*)::int as n from information_schema.tables where table_schema = 'public'"))[0]!.n
      await client.unsafe("drop schema sandbox cascade")
      expect((await client.unsafe("select count(*)::int as n from information_schema.tables where table_schema = 'public'"))[0]!.n).toBe(publicBefore)
      const again = openInstance(db.handle, config)
      try {
        const reply = (await again.run((s) => s.rpc({ jsonrpc: "2.0", id: 1, method: "getBalance", params: [wallet] }))) as { result: { value: number } }
        expect(reply.result.value).toBe(0)
      } finally {
        await again.dispose()
      }
    } finally {
      await db.close()
    }
  })
})

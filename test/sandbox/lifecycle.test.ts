import { afterAll, describe, expect, test } from "bun:test"
import { Keypair } from "@solana/web3.js"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createApp } from "../../src/app/app"
import { makeRuntime } from "../../src/app/layers"
import { Database } from "../../src/platform/db/database"
import { runMigrations } from "../../src/platform/db/migrations"
import { memorySink } from "../../src/platform/logging/logger"
import { warmMemory } from "../../src/modules/sandbox/agents/warm-memory"
import { Effect } from "effect"
import { makeTestApp, readJson, testConfig, type TestApp } from "../support/app"
import { callAgent, fund, lamports, usdc } from "./helpers"

describe("sandbox lifecycle", () => {
  const dir = mkdtempSync(join(tmpdir(), "tdk-sandbox-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  // A whole process's worth of app over file databases in `dir`, as `tdk serve` builds it.
  const openFileApp = async (): Promise<TestApp> => {
    const config = testConfig({ DATA_DIR: dir, DATABASE_URL: `sqlite:${dir}/tdk.db` })
    const { lines, sink } = memorySink()
    const runtime = makeRuntime(config, { sink })
    await runMigrations(await runtime.runPromise(Effect.gen(function* () { return yield* Database })))
    const app = createApp(config, runtime)
    const request = (path: string, init: RequestInit & { json?: unknown } = {}) => {
      const { json, ...rest } = init
      const headers = new Headers(rest.headers)
      if (json !== undefined) headers.set("content-type", "application/json")
      return app.handle(new Request(`http://localhost${path}`, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) }))
    }
    return { app, runtime, config, logs: lines, dialect: "sqlite", request, close: () => runtime.dispose(), closeDatabase: () => runtime.dispose(), databaseUrl: config.database.dialect === "sqlite" ? config.database.path : "" }
  }

  test("balances and stored agent data survive a restart with a file database", async () => {
    const payer = Keypair.generate()
    const first = await openFileApp()
    await fund(first, payer.publicKey.toBase58(), { usdc: 50_000, sol: 1_000_000 })
    expect(await callAgent(first, warmMemory.id, payer, { action: "store", key: "k", value: "kept" })).toMatchObject({ status: 200, body: { ok: true } })
    await first.close()

    const second = await openFileApp()
    try {
      expect(await usdc(second, payer.publicKey)).toBe(49_000)
      expect(await lamports(second, payer.publicKey.toBase58())).toBe(995_000)
      expect(await callAgent(second, warmMemory.id, payer, { action: "retrieve", key: "k" })).toMatchObject({ status: 200, body: { ok: true, output: { exists: true, value: "kept" } } })
    } finally {
      await second.close()
    }
    expect(await Bun.file(join(dir, "sandbox.db")).exists()).toBe(true)
  })

  // Its state is opened on every network (store.test.ts); only the routes are the sandbox network's.
  test("on devnet the sandbox routes do not exist", async () => {
    const h = await makeTestApp("sqlite", { TETTO_NETWORK: "devnet", DATA_DIR: join(dir, "devnet") })
    try {
      expect(await readJson(await h.request("/sandbox/tetto/api/agents"))).toMatchObject({ status: 404, body: { code: "route_not_found" } })
      expect(await readJson(await h.request("/sandbox/faucet", { method: "POST", json: { wallet: Keypair.generate().publicKey.toBase58(), usdc: 1 } }))).toMatchObject({ status: 404 })
      const docs = await readJson(await h.request("/docs/json"))
      expect(Object.keys(docs.body.paths).some((p) => p.startsWith("/sandbox"))).toBe(false)
    } finally {
      await h.close()
    }
  })

  test("on the sandbox network the routes are documented under the sandbox tag", async () => {
    const h = await makeTestApp("sqlite")
    try {
      const docs = await readJson(await h.request("/docs/json"))
      expect(docs.body.paths["/sandbox/tetto/api/agents/{id}/build-transaction"]?.post).toMatchObject({ operationId: "sandboxBuildTransaction", tags: ["sandbox"] })
      expect(docs.body.paths["/sandbox/solana"]?.post).toMatchObject({ tags: ["sandbox"] })
    } finally {
      await h.close()
    }
  })
})

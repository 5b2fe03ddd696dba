// Test keys never move money: on a gateway configured for mainnet, a tk_test_
// key's calls are served by the built-in sandbox (its marketplace, its ledger
// and a pool of sandbox wallets of its own), recorded and shown like any call,
// marked test, never billed, and no request reaches the live network. The
// live marketplace and RPC point at a trap that records every request, so
// "nothing reached mainnet" is an observation, not an assumption.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { auditPeriod } from "../../src/modules/audit/audit"
import { Networks } from "../../src/modules/network/service"
import { bootstrapSandboxPool } from "../../src/modules/pool/sandbox-bootstrap"
import { titleGenerator } from "../../src/modules/sandbox/agents/text"
import { periodBounds, periodOf } from "../../src/platform/period"
import { Store } from "../../src/store/store"
import { bearer, login, register } from "../support/accounts"
import { makeTestApp, readJson, type TestApp } from "../support/app"
import { dialects } from "../support/db"

for (const dialect of dialects) {
  describe(`test keys on a mainnet gateway (${dialect})`, () => {
    let h: TestApp
    let trap: ReturnType<typeof Bun.serve>
    const reachedMainnet: Array<string> = []
    let testKey: string
    let liveKey: string
    let userId: string

    beforeAll(async () => {
      trap = Bun.serve({
        port: 0,
        hostname: "127.0.0.1",
        fetch: (r) => {
          reachedMainnet.push(`${r.method} ${new URL(r.url).pathname}`)
          return new Response("not mainnet", { status: 503 })
        },
      })
      h = await makeTestApp(dialect, {
        TETTO_NETWORK: "mainnet",
        TETTO_API_URL: `http://127.0.0.1:${trap.port}/tetto`,
        SOLANA_RPC_URL: `http://127.0.0.1:${trap.port}/solana`,
        MARKETPLACE_READ_ATTEMPTS: "1",
        SANDBOX_POOL_SIZE: "2",
        // A free live key would need a card; a test key never does.
        REQUIRE_CARD_FOR_FREE: "true",
      })
      const account = await register(h)
      liveKey = account.key
      userId = account.userId
      const session = await login(h, account.email)
      const created = await readJson(await h.request("/v1/keys", { method: "POST", headers: bearer(session), json: { name: "tests", environment: "test" } }))
      expect(created).toMatchObject({ status: 201, body: { environment: "test" } })
      testKey = created.body.key
      expect(testKey).toStartWith("tk_test_")
    })
    afterAll(async () => {
      await h.close()
      trap.stop(true)
    })

    const call = (key: string, path: string, json: unknown) => h.request(path, { method: "POST", headers: bearer(key), json }).then(readJson)
    const run = <A, E>(program: Effect.Effect<A, E, any>) => h.runtime.runPromise(program as Effect.Effect<A, E, never>)

    test("first start creates and funds the test pool from the sandbox, and no live wallet", async () => {
      const first = await run(bootstrapSandboxPool())
      expect(first).toMatchObject({ created: 2, check: { wallets: 2, read: 2, failed: 0, by_status: { active: 2 } } })
      const wallets = await run(Effect.flatMap(Store, (s) => s.wallets.list()))
      expect(wallets.map((w) => w.environment)).toEqual(["test", "test"])
      expect(reachedMainnet).toEqual([])
    })

    test("a test key calls a sandbox agent: paid from the test pool, recorded as test, never billed, nothing sent to mainnet", async () => {
      const r = await call(testKey, `/v1/agents/title-generator`, { text: "Test mode lets developers build before they pay anything" })
      expect(r.status).toBe(200)
      expect(r.body).toMatchObject({ success: true, usage: { agent: { id: titleGenerator.id } }, receipt: { tx_signature: expect.any(String) } })
      expect(r.body.usage.cost_micro_usd).toBeGreaterThan(0)

      const history = await readJson(await h.request("/v1/usage/history", { headers: bearer(testKey) }))
      expect(history.body.rows).toHaveLength(1)
      expect(history.body.rows[0]).toMatchObject({ environment: "test", state: "settled", tx_signature: r.body.receipt.tx_signature })
      const current = await readJson(await h.request("/v1/usage/current", { headers: bearer(testKey) }))
      expect(current.body).toMatchObject({ environment: "test", ops: 1, spend_micro_usd: r.body.usage.cost_micro_usd })

      const row = await run(Effect.flatMap(Store, (s) => s.usage.findById(history.body.rows[0].id)))
      const wallet = await run(Effect.flatMap(Store, (s) => s.wallets.findById(row!.walletId)))
      expect({ environment: row!.environment, stripeState: row!.stripeState, walletEnvironment: wallet!.environment }).toEqual({ environment: "test", stripeState: "skipped", walletEnvironment: "test" })
      expect(reachedMainnet).toEqual([])
    })

    test("a test key's memory lives on the sandbox's storage agent", async () => {
      expect((await call(testKey, "/v1/memory/set", { key: "greeting", value: "hello from test mode" })).status).toBe(200)
      expect(await call(testKey, "/v1/memory/get", { key: "greeting" })).toMatchObject({ status: 200, body: { output: { exists: true, value: "hello from test mode" } } })
      expect(reachedMainnet).toEqual([])
    })

    test("test calls are not in the user's billable usage, and the money audit checks them on the sandbox's ledger", async () => {
      const period = periodOf(Date.now())
      const usage = await run(Effect.flatMap(Store, (s) => s.billing.userUsage(userId, { period, ...periodBounds(period) })))
      expect(usage).toEqual({ ops: 0, settledMicroUsd: 0, billableMicroUsd: 0, reportedMicroUsd: 0 })
      const audit = await run(auditPeriod(period))
      expect(audit).toMatchObject({ ok: true, findings: [] })
      expect(audit.settledRowsChecked).toBeGreaterThanOrEqual(2)
      expect(reachedMainnet).toEqual([])
    })

    test("live keys still go to the configured network (the trap sees them), and a free live key needs a card", async () => {
      expect(await call(liveKey, `/v1/agents/title-generator`, { text: "no card" })).toMatchObject({ status: 402, body: { code: "card_required" } })
      expect(reachedMainnet).toEqual([])
      const live = await h.runtime.runPromiseExit(Effect.flatMap(Networks, (n) => n.live.marketplace.getAgent(titleGenerator.id)))
      expect(live._tag).toBe("Failure")
      expect(reachedMainnet).toEqual([`GET /tetto/api/agents/${titleGenerator.id}`])
    })
  })
}

if (dialects.includes("postgres")) {
  describe("test keys across two mainnet instances on one Postgres", () => {
    let a: TestApp
    let b: TestApp
    const env = { TETTO_NETWORK: "mainnet", TETTO_API_URL: "http://127.0.0.1:9/unreachable", SOLANA_RPC_URL: "http://127.0.0.1:9/unreachable", SANDBOX_POOL_SIZE: "2" }
    beforeAll(async () => {
      a = await makeTestApp("postgres", env)
      b = await makeTestApp("postgres", env, { sameDatabaseAs: a })
    })
    afterAll(async () => {
      await b.close()
      await a.close()
    })

    test("look like one sandbox: the pool funded through one pays through the other, and memory stored through one is read through the other", async () => {
      expect(await a.runtime.runPromise(bootstrapSandboxPool())).toMatchObject({ created: 2, check: { read: 2, failed: 0 } })
      // The second instance finds the pool and its balances as the first left them.
      expect(await b.runtime.runPromise(bootstrapSandboxPool())).toEqual({ created: 0, check: undefined })
      const account = await register(a)
      const session = await login(a, account.email)
      const created = await readJson(await a.request("/v1/keys", { method: "POST", headers: bearer(session), json: { name: "tests", environment: "test" } }))
      const key: string = created.body.key
      const post = (h: TestApp, path: string, json: unknown) => h.request(path, { method: "POST", headers: bearer(key), json }).then(readJson)

      expect((await post(b, "/v1/agents/title-generator", { text: "Paid through the second instance from the shared test pool" })).status).toBe(200)
      expect((await post(a, "/v1/memory/set", { key: "where", value: "stored through A" })).status).toBe(200)
      expect(await post(b, "/v1/memory/get", { key: "where" })).toMatchObject({ status: 200, body: { output: { exists: true, value: "stored through A" } } })
    })
  })
}

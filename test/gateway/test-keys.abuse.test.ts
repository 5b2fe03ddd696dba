// Test keys under abuse and at the edges: keys from before test pools, a
// drained test pool, idempotency across environments, a least-privilege
// database. The live marketplace and RPC point at a trap that records every
// request, so "nothing reached the live network" is observed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import { Effect } from "effect"
import { Networks } from "../../src/modules/network/service"
import { reconcileUnknownCalls } from "../../src/modules/gateway/reconciler"
import { checkBalances } from "../../src/modules/pool/balances"
import { currentRefillReport } from "../../src/modules/pool/refill-report"
import { bootstrapSandboxPool } from "../../src/modules/pool/sandbox-bootstrap"
import { topUpTestPool } from "../../src/modules/pool/test-pool"
import { assignWallet, generateWallets } from "../../src/modules/pool/service"
import { walletForCall } from "../../src/modules/pool/wallet-for-call"
import { titleGenerator } from "../../src/modules/sandbox/agents/text"
import { Database, type DatabaseHandle } from "../../src/platform/db/database"
import { Store } from "../../src/store/store"
import { bearer, login, register } from "../support/accounts"
import { makeTestApp, readJson, type TestApp } from "../support/app"
import { exec, selectAll } from "../support/billing"
import { dialects } from "../support/db"

const ADMIN_TOKEN = "edge-admin-token-0123456789abcdef012345"

type Trap = { readonly server: ReturnType<typeof Bun.serve>; readonly seen: Array<string>; readonly env: Record<string, string> }

const startTrap = (): Trap => {
  const seen: Array<string> = []
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (r) => {
      seen.push(`${r.method} ${new URL(r.url).pathname}`)
      return new Response("not mainnet", { status: 503 })
    },
  })
  return {
    server,
    seen,
    env: {
      TETTO_NETWORK: "mainnet",
      TETTO_API_URL: `http://127.0.0.1:${server.port}/tetto`,
      SOLANA_RPC_URL: `http://127.0.0.1:${server.port}/solana`,
      MARKETPLACE_READ_ATTEMPTS: "1",
      ADMIN_TOKEN,
    },
  }
}

const run = <A, E>(h: TestApp, program: Effect.Effect<A, E, any>) => h.runtime.runPromise(program as Effect.Effect<A, E, never>)
const dbOf = (h: TestApp) => run(h, Effect.flatMap(Database, Effect.succeed)) as Promise<DatabaseHandle>
const post = (h: TestApp, key: string, path: string, json: unknown, headers: Record<string, string> = {}) =>
  h.request(path, { method: "POST", headers: { ...bearer(key), ...headers }, json }).then(readJson)

const newTestKey = async (h: TestApp) => {
  const account = await register(h)
  const session = await login(h, account.email)
  const created = await readJson(await h.request("/v1/keys", { method: "POST", headers: bearer(session), json: { name: "test mode", environment: "test" } }))
  expect(created).toMatchObject({ status: 201, body: { environment: "test" } })
  return { account, session, key: created.body.key as string, keyId: created.body.id as string }
}

for (const dialect of dialects) {
  describe(`a test key from before test pools, holding a live wallet (${dialect})`, () => {
    let h: TestApp
    let trap: Trap
    beforeAll(async () => {
      trap = startTrap()
      // No test pool yet (SANDBOX_POOL_SIZE=0 stands for "the test pool is empty or drained").
      h = await makeTestApp(dialect, { ...trap.env, SANDBOX_POOL_SIZE: "0" })
    })
    afterAll(async () => {
      await h.close()
      trap.server.stop(true)
    })

    test("a refused call (no test wallet to move to) leaves the live wallet's assigned key count equal to the keys that hold it", async () => {
      const [liveWalletId] = await run(h, generateWallets(1))
      const db = await dbOf(h)
      const { keyId, key } = await newTestKey(h)
      // As before the change: the test key was assigned a live wallet, which counts it.
      await exec(db, sql`update api_keys set wallet_id = ${liveWalletId!} where id = ${keyId}`)
      // Four live keys share the wallet too.
      for (let i = 0; i < 4; i++) {
        const live = await register(h)
        await run(h, Effect.flatMap(Store, (s) => s.wallets.assign(live.keyId)))
      }
      await exec(db, sql`update wallet_pool set assigned_key_count = assigned_key_count + 1 where id = ${liveWalletId!}`)
      const holders = async () => Number((await selectAll(db, sql`select count(*) as n from api_keys where wallet_id = ${liveWalletId!}`))[0]!.n)
      const counted = async () => Number((await selectAll(db, sql`select assigned_key_count as n from wallet_pool where id = ${liveWalletId!}`))[0]!.n)
      expect({ holders: await holders(), counted: await counted() }).toEqual({ holders: 5, counted: 5 })

      for (let i = 0; i < 3; i++) {
        const r = await post(h, key, "/v1/agents/title-generator", { text: `attempt ${i}` })
        expect(r).toMatchObject({ status: 503, body: { code: "no_funded_wallet" } })
      }
      expect(trap.seen).toEqual([])
      // The key still holds the live wallet (it had nowhere to move), so the wallet still counts it.
      expect({ holders: await holders(), counted: await counted() }).toEqual({ holders: 5, counted: 5 })
    })

    test("once the test pool exists the key moves to it, and the live wallet is counted down exactly once", async () => {
      const db = await dbOf(h)
      const { keyId, key } = await newTestKey(h)
      const [liveWalletId] = await run(h, generateWallets(1))
      await exec(db, sql`update api_keys set wallet_id = ${liveWalletId!} where id = ${keyId}`)
      await exec(db, sql`update wallet_pool set assigned_key_count = 3 where id = ${liveWalletId!}`)
      const [testWalletId] = await run(h, generateWallets(1, { environment: "test" }))
      const sandbox = await import("../../src/modules/sandbox/service")
      const w = await run(h, Effect.flatMap(Store, (s) => s.wallets.findById(testWalletId!)))
      await run(h, Effect.flatMap(sandbox.Sandbox, (s) => s.faucet({ wallet: w!.publicKey, usdc: 10_000_000, sol: 100_000_000 })))
      const r = await post(h, key, "/v1/agents/title-generator", { text: "moved to the test pool" })
      expect(r.status).toBe(200)
      // A second call within the key cache's lifetime still carries the old wallet id.
      expect((await post(h, key, "/v1/agents/title-generator", { text: "again" })).status).toBe(200)
      const k = (await selectAll(db, sql`select wallet_id from api_keys where id = ${keyId}`))[0]!
      const live = (await selectAll(db, sql`select assigned_key_count as n from wallet_pool where id = ${liveWalletId!}`))[0]!
      const test_ = (await selectAll(db, sql`select assigned_key_count as n from wallet_pool where id = ${testWalletId!}`))[0]!
      expect({ wallet: k.wallet_id, live: Number(live.n), test: Number(test_.n) }).toEqual({ wallet: testWalletId, live: 2, test: 1 })
      expect(trap.seen).toEqual([])
    })
  })

  describe(`the test pool on mainnet is shared and refills itself (${dialect})`, () => {
    let h: TestApp
    let trap: Trap
    beforeAll(async () => {
      trap = startTrap()
      // One test wallet with enough sandbox USDC for a handful of calls.
      h = await makeTestApp(dialect, { ...trap.env, SANDBOX_POOL_SIZE: "1", POOL_REFILL_TARGET_USDC: "100000", POOL_MIN_CALL_BASE: "40000" })
      expect(await run(h, bootstrapSandboxPool())).toMatchObject({ created: 1 })
    })
    afterAll(async () => {
      await h.close()
      trap.server.stop(true)
    })

    test("one user's free test key draining the test pool does not leave every other user's test key refused for good (the pool is topped up from the sandbox faucet)", async () => {
      const drainer = await newTestKey(h)
      // No card, free tier, 5000 calls a month per key and no limit on keys: drain the pool.
      let ok = 0
      let drained = false
      for (let i = 0; i < 20 && !drained; i++) {
        const r = await post(h, drainer.key, "/v1/agents/title-generator", { text: `drain ${i}` })
        if (r.status === 200) ok++
        else {
          // The sandbox refuses the drained wallet's payment before the balance check marks it.
          expect(r).toMatchObject({ status: 503, body: { code: "payer_lacks_funds" } })
          drained = true
        }
      }
      // The pool really ran dry, so the victim's success below is the top-up's doing.
      expect({ ok: ok > 0, drained }).toEqual({ ok: true, drained: true })
      // The balance check marks the wallet depleted; the minute's top-up job funds it again.
      await run(h, checkBalances())
      expect(await run(h, topUpTestPool())).toEqual({ wallets: 1, funded: 1, failed: 0 })
      const victim = await newTestKey(h)
      const r = await post(h, victim.key, "/v1/agents/title-generator", { text: "my first test call" })
      expect(trap.seen).toEqual([])
      expect({ status: r.status, code: r.body?.code }).toEqual({ status: 200, code: undefined })
    })
  })

  describe(`test keys stay apart from live ones (${dialect})`, () => {
    let h: TestApp
    let trap: Trap
    beforeAll(async () => {
      trap = startTrap()
      h = await makeTestApp(dialect, { ...trap.env, SANDBOX_POOL_SIZE: "2" })
      expect(await run(h, bootstrapSandboxPool())).toMatchObject({ created: 2 })
    })
    afterAll(async () => {
      await h.close()
      trap.server.stop(true)
    })

    test("a live key never takes a test wallet: with only test wallets funded, assign and walletForCall refuse (503) and the test wallets' counts stay 0", async () => {
      const live = await register(h)
      const exit = await h.runtime.runPromiseExit(assignWallet(live.keyId) as Effect.Effect<unknown, unknown, never>)
      expect(exit._tag).toBe("Failure")
      const viaCall = await h.runtime.runPromiseExit(walletForCall({ keyId: live.keyId, walletId: null, storageWalletId: null, environment: "live" }, { storage: false }) as Effect.Effect<unknown, unknown, never>)
      expect(JSON.stringify(viaCall)).toContain("NoFundedWallet")
      const wallets = await run(h, Effect.flatMap(Store, (s) => s.wallets.list()))
      expect(wallets.every((w) => w.environment === "test" && w.assignedKeyCount === 0)).toBe(true)
      // mostFunded never crosses pools either.
      expect(await run(h, Effect.flatMap(Store, (s) => s.wallets.mostFunded("none", "live")))).toBeUndefined()
    })

    test("the same Idempotency-Key on a user's live and test keys are two calls: the test answer is never replayed to the live key", async () => {
      const { account, key } = await newTestKey(h)
      const idem = { "idempotency-key": "same-key-both-environments-0001" }
      const t = await post(h, key, `/v1/agents/${titleGenerator.id}`, { text: "idempotent" }, idem)
      expect(t.status).toBe(200)
      const l = await post(h, account.key, `/v1/agents/${titleGenerator.id}`, { text: "idempotent" }, idem)
      // The live key goes to the live marketplace (the trap), not a replay of the test answer.
      expect(l.status).not.toBe(200)
      expect(trap.seen.some((s) => s.includes(titleGenerator.id))).toBe(true)
      trap.seen.length = 0
    })

    test("a test row left unknown is resolved on the sandbox ledger by the reconciler and settles skipped; the outbox never claims it", async () => {
      const { key } = await newTestKey(h)
      const r = await post(h, key, "/v1/agents/title-generator", { text: "to reconcile" })
      expect(r.status).toBe(200)
      const db = await dbOf(h)
      const [row] = await selectAll(db, sql`select id from usage where tx_signature = ${r.body.receipt.tx_signature}`)
      // As if the answer had been lost after submit.
      await exec(db, sql`update usage set state = 'unknown', stripe_state = 'pending', settled_at = null, created_at = created_at - 3600000 where id = ${row!.id}`)
      const report = await run(h, reconcileUnknownCalls({ staleAfterMs: 1, giveUpAfterMs: 1 }))
      expect(report).toMatchObject({ settled: 1 })
      const [after] = await selectAll(db, sql`select state, stripe_state, environment from usage where id = ${row!.id}`)
      expect(after).toMatchObject({ state: "settled", stripe_state: "skipped", environment: "test" })
      // Nothing for the Stripe reporter: the owner is not on its work list.
      const leased = await run(h, Effect.flatMap(Store, (s) => s.outbox.lease({ owner: "edge-test", now: Date.now(), leaseMs: 60_000, limit: 100 })))
      expect(leased).toEqual([])
      expect(trap.seen.filter((s) => s.startsWith("POST /solana"))).toEqual([])
    })

    test("admin: created wallets are live, the pool list marks test wallets, the refill report lists no test wallet", async () => {
      const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }
      const created = await readJson(await h.request("/admin/pool/wallets", { method: "POST", headers: admin, json: { count: 1 } }))
      expect(created).toMatchObject({ status: 201, body: { wallets: [{ environment: "live" }] } })
      const list = await readJson(await h.request("/admin/pool?limit=100", { headers: admin }))
      expect(list.status).toBe(200)
      const envs = (list.body.wallets as Array<{ environment: string }>).map((w) => w.environment).sort()
      expect(envs).toEqual(["live", "test", "test"])
      const report = await run(h, currentRefillReport())
      const testKeys = new Set((list.body.wallets as Array<{ environment: string; public_key: string }>).filter((w) => w.environment === "test").map((w) => w.public_key))
      expect(report.wallets.filter((w) => testKeys.has(w.public_key))).toEqual([])
    })

    test("no sandbox route answers from outside on mainnet (faucet, marketplace, RPC, test hook), whatever the path spelling", async () => {
      const paths: Array<[string, string, unknown?]> = [
        ["POST", "/sandbox/faucet", { wallet: "11111111111111111111111111111111", usdc: 1 }],
        ["GET", "/sandbox/tetto/api/agents"],
        ["POST", "/sandbox/solana", { jsonrpc: "2.0", id: 1, method: "getSlot" }],
        ["POST", `/sandbox/agents/${titleGenerator.id}/behaviour`, { delay_ms: 0 }],
        ["GET", "/SANDBOX/tetto/api/agents"],
        ["GET", "/v1/../sandbox/tetto/api/agents"],
        ["GET", "//sandbox/tetto/api/agents"],
        ["GET", "/sandbox/tetto/api/agents/"],
      ]
      for (const [method, path, json] of paths) {
        const r = await readJson(await h.request(path, { method, ...(json !== undefined ? { json } : {}) }))
        expect({ path, status: r.status, ok: r.body?.ok }).toEqual({ path, status: 404, ok: undefined })
      }
    })
  })
}

if (dialects.includes("postgres")) {
  describe("test mode on a least-privilege mainnet database (postgres)", () => {
    test("a mainnet gateway whose database role may use its tables but not create schemas still serves live keys (the sandbox opened on every network must not take the gateway down)", async () => {
      const postgres = (await import("postgres")).default
      const { makeRuntime } = await import("../../src/app/layers")
      const { loadConfig } = await import("../../src/platform/config/config")
      const { openDatabase, closeDatabase } = await import("../../src/platform/db/database")
      const { runMigrations } = await import("../../src/platform/db/migrations")
      const { TEST_MASTER_KEYS } = await import("../support/app")
      const url = process.env.TEST_POSTGRES_URL!
      const suffix = `${process.pid}_${Math.floor(Math.random() * 1e6)}`
      const dbName = `tdk_edge_priv_${suffix}`
      const role = `tdk_edge_app_${suffix}`
      const admin = postgres(url, { max: 1, onnotice: () => {} })
      const at = (u: string, name: string, user?: string) => {
        const x = new URL(u)
        x.pathname = `/${name}`
        if (user) {
          x.username = user
          x.password = "edge-pw"
        }
        return x.toString()
      }
      await admin.unsafe(`create database ${dbName}`)
      await admin.unsafe(`create role ${role} login password 'edge-pw'`)
      try {
        // The operator migrates as the owner; the app runs as a role with table privileges only.
        const owner = openDatabase({ dialect: "postgres", url: at(url, dbName) })
        await runMigrations(owner)
        await closeDatabase(owner)
        const grants = postgres(at(url, dbName), { max: 1, onnotice: () => {} })
        await grants.unsafe(`grant usage on schema public to ${role}; grant select, insert, update, delete on all tables in schema public to ${role}; grant usage, select on all sequences in schema public to ${role}`)
        await grants.end()
        const config = loadConfig({ DATABASE_URL: at(url, dbName, role), MIGRATE_ON_START: "false", TETTO_NETWORK: "mainnet", WALLET_ENCRYPTION_KEYS: TEST_MASTER_KEYS, DATA_DIR: "/tmp", LOG_LEVEL: "error" })
        const logs: Array<string> = []
        const runtime = makeRuntime(config, { sink: (line) => void logs.push(line) })
        try {
          const exit = await runtime.runPromiseExit(Effect.flatMap(Store, (s) => s.users.findById("usr_nobody")) as Effect.Effect<unknown, unknown, never>)
          expect({ tag: exit._tag, cause: exit._tag === "Failure" ? String((exit as any).cause).slice(0, 200) : "" }).toEqual({ tag: "Success", cause: "" })
          // Test mode answers 503 instead, and says why in the log without the role's password.
          const test = await runtime.runPromiseExit(Effect.flip(Effect.flatMap(Networks, (n) => n.test.marketplace.getAgent(titleGenerator.id))) as unknown as Effect.Effect<{ _tag: string; status: number; upstream: string }, never, never>)
          if (test._tag !== "Success") throw new Error(String(test.cause))
          expect(test.value).toMatchObject({ _tag: "MarketplaceRefused", status: 503, upstream: expect.stringContaining("Test mode is unavailable") })
          expect(logs.some((l) => l.includes("the sandbox could not be opened"))).toBe(true)
          expect(logs.join("\n")).not.toContain("edge-pw")
        } finally {
          await runtime.dispose().catch(() => undefined)
        }
      } finally {
        await admin.unsafe(`drop database if exists ${dbName} with (force)`).catch(() => undefined)
        await admin.unsafe(`drop role if exists ${role}`).catch(() => undefined)
        await admin.end()
      }
    })
  })
}

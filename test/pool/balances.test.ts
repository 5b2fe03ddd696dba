// Balance monitoring against the sandbox ledger over real JSON-RPC: statuses
// follow what the wallets actually hold as they pay agents, retired wallets
// stay retired, and an RPC outage records the error without touching statuses.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { makeRuntime } from "../../src/app/layers"
import { checkBalances } from "../../src/modules/pool/balances"
import { generateWallets } from "../../src/modules/pool/service"
import { titleGenerator } from "../../src/modules/sandbox/agents/text"
import { walletInspector } from "../../src/modules/sandbox/agents/wallet-inspector"
import { Database } from "../../src/platform/db/database"
import { memorySink } from "../../src/platform/logging/logger"
import { freePort } from "../../scripts/services"
import { testConfig } from "../support/app"
import { dialects } from "../support/db"
import { admin, fund, run, servedTestApp, spend, wallet, wallets, type Served } from "./served"

// Thresholds sized so a few sandbox calls cross them: low below $0.10,
// depleted below $0.04 or 10,000 lamports.
const env = { POOL_LOW_BALANCE_USDC: "100000", POOL_MIN_CALL_BASE: "40000", POOL_LOW_BALANCE_LAMPORTS: "0", POOL_MIN_LAMPORTS: "10000" }

for (const dialect of dialects) {
  describe(`pool balances (${dialect})`, () => {
    let h: Served
    beforeAll(async () => {
      h = await servedTestApp(dialect, env)
    })
    afterAll(() => h.stop())

    test("statuses follow real spending: active → low_balance → depleted (USDC), active → depleted (SOL fees)", async () => {
      const [a, b] = await run(h, generateWallets(2))
      const wa = await wallet(h, a!)
      const wb = await wallet(h, b!)
      await fund(h, wa.publicKey, { usdc: 120_000, sol: 10_000_000 })
      await fund(h, wb.publicKey, { usdc: 1_000_000, sol: 12_000 })

      const first = await run(h, checkBalances())
      expect(first).toMatchObject({ failed: 0 })
      expect(await wallet(h, a!)).toMatchObject({ status: "active", usdcBalance: 120_000, lamports: 10_000_000, lastBalanceError: null })
      expect(await wallet(h, b!)).toMatchObject({ status: "active", usdcBalance: 1_000_000, lamports: 12_000 })

      await spend(h, wa, walletInspector.id, { wallet: wa.publicKey })
      const second = await run(h, checkBalances())
      expect(await wallet(h, a!)).toMatchObject({ status: "low_balance", usdcBalance: 80_000, lamports: 10_000_000 - 5_000 })
      expect(second.changes).toContainEqual({ wallet_id: a!, public_key: wa.publicKey, from: "active", to: "low_balance" })

      // exactly the price of one call is still enough
      await spend(h, wa, walletInspector.id, { wallet: wa.publicKey })
      await run(h, checkBalances())
      expect(await wallet(h, a!)).toMatchObject({ status: "low_balance", usdcBalance: 40_000 })

      await spend(h, wa, titleGenerator.id, { text: "one more call" })
      await spend(h, wb, titleGenerator.id, { text: "a call that costs a network fee" })
      const third = await run(h, checkBalances())
      expect(await wallet(h, a!)).toMatchObject({ status: "depleted", usdcBalance: 30_000 })
      expect(await wallet(h, b!)).toMatchObject({ status: "depleted", usdcBalance: 990_000, lamports: 7_000 })
      expect(third.changes).toEqual(expect.arrayContaining([
        { wallet_id: a!, public_key: wa.publicKey, from: "low_balance", to: "depleted" },
        { wallet_id: b!, public_key: wb.publicKey, from: "active", to: "depleted" },
      ]))
      expect(h.logs.some((l) => l.includes("pool wallet status changed") && l.includes(a!) && l.includes('"depleted"'))).toBe(true)

      // a refill brings it back at the next check
      await fund(h, wa.publicKey, { usdc: 1_000_000 })
      await run(h, checkBalances())
      expect(await wallet(h, a!)).toMatchObject({ status: "active", usdcBalance: 1_030_000 })
    }, 30_000)

    test("a retired wallet gets its balances read but stays retired; an unfunded wallet (no token account) is depleted with 0", async () => {
      const [r, empty] = await run(h, generateWallets(2))
      await fund(h, (await wallet(h, r!)).publicKey, { usdc: 5_000_000, sol: 1_000_000 })
      const handle = await run(h, Database)
      const retire = `update wallet_pool set status = 'retired' where id = '${r}'`
      if (handle.kind === "sqlite") handle.client.exec(retire)
      else await handle.client.unsafe(retire)
      await run(h, checkBalances())
      expect(await wallet(h, r!)).toMatchObject({ status: "retired", usdcBalance: 5_000_000, lamports: 1_000_000 })
      expect(await wallet(h, empty!)).toMatchObject({ status: "depleted", usdcBalance: 0, lamports: 0, lastBalanceError: null })
      expect((await wallet(h, empty!)).lastBalanceCheckAt).toBeNumber()
    }, 30_000)

    test("RPC outage: every wallet records the error; statuses, balances and the last good check stay", async () => {
      const before = await wallets(h)
      expect(before.length).toBeGreaterThan(0)
      const handle = await run(h, Database)
      const closed = `http://127.0.0.1:${freePort()}/sandbox/solana`
      const { lines, sink } = memorySink()
      const down = makeRuntime(testConfig({ ...env, SOLANA_RPC_URL: closed, SOLANA_RPC_TIMEOUT_MS: "2000" }), { database: handle, sink })
      try {
        const report = await down.runPromise(checkBalances())
        expect(report).toMatchObject({ wallets: before.length, read: 0, failed: before.length, changes: [] })
      } finally {
        await down.dispose()
      }
      const after = await wallets(h)
      expect(after.map((w) => ({ id: w.id, status: w.status, usdc: w.usdcBalance, lamports: w.lamports, at: w.lastBalanceCheckAt }))).toEqual(
        before.map((w) => ({ id: w.id, status: w.status, usdc: w.usdcBalance, lamports: w.lamports, at: w.lastBalanceCheckAt })),
      )
      for (const w of after) expect(w.lastBalanceError).toMatch(/^\d{4}-\d\d-\d\dT.*(getBalance|getTokenAccountBalance|not read: the RPC failed)/)
      expect(after.map((w) => w.lastBalanceError).join("\n")).not.toContain(closed)
      expect(lines.some((l) => l.includes("pool balance check could not read every wallet"))).toBe(true)

      // the next good check clears the error
      await run(h, checkBalances())
      for (const w of await wallets(h)) expect(w.lastBalanceError).toBeNull()
    }, 60_000)

    test("admin: POST /admin/pool/check and GET /admin/pool show balances, status and keys; no secret; refused without the token", async () => {
      const checked = await admin(h, "/admin/pool/check", { method: "POST" })
      expect(checked).toMatchObject({ status: 200, body: { failed: 0, by_status: { retired: 1 } } })
      expect(checked.body.read).toBe(checked.body.wallets)
      const listed = await admin(h, "/admin/pool?limit=1000")
      expect(listed).toMatchObject({ status: 200, body: { next: null } })
      const rows = await wallets(h)
      expect(listed.body.wallets).toEqual(rows.map((w) => ({
        id: w.id,
        public_key: w.publicKey,
        status: w.status,
        environment: w.environment,
        usdc_balance: w.usdcBalance,
        lamports: w.lamports,
        assigned_keys: w.assignedKeyCount,
        last_balance_check_at: new Date(w.lastBalanceCheckAt!).toISOString(),
        last_balance_error: null,
        created_at: new Date(w.createdAt).toISOString(),
        retired_at: null,
        replaced_by: null,
        storage_keys: 0,
        swept_at: null,
      })))
      for (const w of rows) expect(listed.text).not.toContain(JSON.parse(w.encryptedSecret).c)
      const page = await admin(h, "/admin/pool?limit=1")
      expect({ count: page.body.wallets.length, next: page.body.next }).toEqual({ count: 1, next: rows[0]!.id })
      expect((await admin(h, `/admin/pool?limit=1&after=${page.body.next}`)).body.wallets[0].id).toBe(rows[1]!.id)

      for (const [method, path] of [["GET", "/admin/pool"], ["POST", "/admin/pool/check"], ["GET", "/admin/pool/refill-report"], ["GET", "/admin/pool/refill-report?format=csv"], ["POST", "/admin/pool/wallets"]] as const) {
        expect(await admin(h, path, { method, ...(method === "POST" ? { json: { count: 1 } } : {}) }, "wrong-token-0123456789-abcdefghij")).toMatchObject({ status: 401, body: { code: "admin_unauthorized" } })
      }
      expect((await wallets(h)).length).toBe(rows.length)
    }, 30_000)
  })
}

describe("pool routes without ADMIN_TOKEN", () => {
  test("do not exist", async () => {
    const { makeTestApp, readJson } = await import("../support/app")
    const h = await makeTestApp("sqlite")
    expect(await readJson(await h.request("/admin/pool"))).toMatchObject({ status: 404 })
    await h.close()
  })
})

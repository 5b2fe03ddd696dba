// First start: each empty sandbox pool becomes SANDBOX_POOL_SIZE funded
// wallets, once. On the sandbox network that is the live pool and the test
// keys' pool; on devnet and mainnet only the test keys' pool (the live pool
// holds real money: the operator creates and funds it).
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { bootstrapSandboxPool } from "../../src/modules/pool/sandbox-bootstrap"
import { dialects } from "../support/db"
import { makeTestApp } from "../support/app"
import { run, servedTestApp, wallets, type Served } from "./served"

const funded = { status: "active", usdc: 100_000_000, lamports: 100_000_000, checked: true }

for (const dialect of dialects) {
  describe(`sandbox pool bootstrap (${dialect})`, () => {
    let h: Served
    beforeAll(async () => {
      h = await servedTestApp(dialect)
    })
    afterAll(() => h.stop())

    test("creates 10 live and 10 test wallets funded with 100 USDC and 0.1 SOL each, all active after the check; a second run does nothing", async () => {
      const first = await run(h, bootstrapSandboxPool())
      expect(first).toMatchObject({ created: 20, check: { wallets: 20, read: 20, failed: 0, by_status: { active: 20, low_balance: 0, depleted: 0 } } })
      const rows = await wallets(h)
      for (const environment of ["live", "test"] as const) {
        const pool = rows.filter((w) => w.environment === environment)
        expect(pool.map((w) => ({ status: w.status, usdc: w.usdcBalance, lamports: w.lamports, checked: w.lastBalanceCheckAt !== null }))).toEqual(Array(10).fill(funded))
      }
      expect(new Set(rows.map((w) => w.publicKey)).size).toBe(20)

      expect(await run(h, bootstrapSandboxPool())).toEqual({ created: 0, check: undefined })
      const again = await wallets(h)
      expect(again.map((w) => [w.id, w.usdcBalance])).toEqual(rows.map((w) => [w.id, w.usdcBalance]))
    }, 30_000)
  })
}

describe("sandbox pool bootstrap off the sandbox", () => {
  test("on devnet creates only the test keys' pool, funded on the in-process sandbox; the live pool stays empty", async () => {
    // The live RPC is unreachable: the test pool's check must not need it.
    const h = await makeTestApp("sqlite", { TETTO_NETWORK: "devnet", SOLANA_RPC_URL: "http://127.0.0.1:9/unreachable", SANDBOX_POOL_SIZE: "3" })
    try {
      expect(await run(h, bootstrapSandboxPool())).toMatchObject({ created: 3, check: { wallets: 3, read: 3, failed: 0, by_status: { active: 3 } } })
      const rows = await wallets(h)
      expect(rows.map((w) => ({ environment: w.environment, status: w.status, usdc: w.usdcBalance }))).toEqual(Array(3).fill({ environment: "test", status: "active", usdc: 100_000_000 }))
      expect(await run(h, bootstrapSandboxPool())).toEqual({ created: 0, check: undefined })
    } finally {
      await h.close()
    }
  })
})

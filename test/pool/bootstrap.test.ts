// The sandbox's first start: an empty pool becomes SANDBOX_POOL_SIZE funded
// wallets, once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { bootstrapSandboxPool } from "../../src/modules/pool/sandbox-bootstrap"
import { dialects } from "../support/db"
import { makeTestApp } from "../support/app"
import { run, servedTestApp, wallets, type Served } from "./served"

for (const dialect of dialects) {
  describe(`sandbox pool bootstrap (${dialect})`, () => {
    let h: Served
    beforeAll(async () => {
      h = await servedTestApp(dialect)
    })
    afterAll(() => h.stop())

    test("creates 10 wallets funded with 100 USDC and 0.1 SOL each, all active after the check; a second run does nothing", async () => {
      const first = await run(h, bootstrapSandboxPool())
      expect(first).toMatchObject({ created: 10, check: { wallets: 10, read: 10, failed: 0, by_status: { active: 10, low_balance: 0, depleted: 0 } } })
      const rows = await wallets(h)
      expect(rows.map((w) => ({ status: w.status, usdc: w.usdcBalance, lamports: w.lamports, checked: w.lastBalanceCheckAt !== null }))).toEqual(
        Array(10).fill({ status: "active", usdc: 100_000_000, lamports: 100_000_000, checked: true }),
      )
      expect(new Set(rows.map((w) => w.publicKey)).size).toBe(10)

      expect(await run(h, bootstrapSandboxPool())).toEqual({ created: 0, check: undefined })
      const again = await wallets(h)
      expect(again.map((w) => [w.id, w.usdcBalance])).toEqual(rows.map((w) => [w.id, w.usdcBalance]))
    }, 30_000)
  })
}

describe("sandbox pool bootstrap off the sandbox", () => {
  test("does nothing on devnet", async () => {
    const h = await makeTestApp("sqlite", { TETTO_NETWORK: "devnet" })
    try {
      expect(await run(h, bootstrapSandboxPool())).toEqual({ created: 0, check: undefined })
      expect(await wallets(h)).toEqual([])
    } finally {
      await h.close()
    }
  })
})

// Operator pool routes: create wallets (bounded), refill report as JSON and CSV.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { checkBalances } from "../../src/modules/pool/balances"
import { dialects } from "../support/db"
import { admin, fund, run, servedTestApp, wallets, type Served } from "./served"

for (const dialect of dialects) {
  describe(`admin pool routes (${dialect})`, () => {
    let h: Served
    beforeAll(async () => {
      h = await servedTestApp(dialect, { POOL_REFILL_TARGET_USDC: "5000000", POOL_REFILL_TARGET_LAMPORTS: "20000000", SANDBOX_POOL_SIZE: "0" })
    })
    afterAll(() => h.stop())

    test("POST /admin/pool/wallets creates sealed wallets; bad counts are 422 and create nothing", async () => {
      const created = await admin(h, "/admin/pool/wallets", { method: "POST", json: { count: 3 } })
      expect(created).toMatchObject({ status: 201, body: { wallets: [{ status: "active", usdc_balance: 0, assigned_keys: 0, last_balance_check_at: null }, {}, {}] } })
      expect(created.body.wallets).toHaveLength(3)
      expect(created.text).not.toContain("encrypted")
      for (const count of [0, 1001, 1.5, "many", null]) expect(await admin(h, "/admin/pool/wallets", { method: "POST", json: { count } })).toMatchObject({ status: 422, body: { code: "invalid_input" } })
      expect(await admin(h, "/admin/pool/wallets", { method: "POST", json: {} })).toMatchObject({ status: 422 })
      expect((await wallets(h)).length).toBe(3)
    })

    test("refill report: per-wallet needs to the targets and exact totals, JSON and CSV agree", async () => {
      const [a, b, c] = await wallets(h)
      await fund(h, a!.publicKey, { usdc: 1_234_567, sol: 25_000_000 })
      await fund(h, b!.publicKey, { usdc: 5_000_000, sol: 1 })
      await run(h, checkBalances())
      const report = await admin(h, "/admin/pool/refill-report")
      expect(report).toMatchObject({
        status: 200,
        body: {
          target_usdc: 5_000_000,
          target_lamports: 20_000_000,
          wallets: [
            { wallet_id: a!.id, public_key: a!.publicKey, usdc_needed: 3_765_433, lamports_needed: 0 },
            { wallet_id: b!.id, usdc_needed: 0, lamports_needed: 19_999_999 },
            { wallet_id: c!.id, usdc_needed: 5_000_000, lamports_needed: 20_000_000 },
          ],
          total_usdc_needed: 8_765_433,
          total_lamports_needed: 39_999_999,
        },
      })

      const csv = await h.request("/admin/pool/refill-report?format=csv", { headers: { authorization: `Bearer ${(await import("./served")).ADMIN}` } })
      const text = await csv.text()
      expect({ status: csv.status, type: csv.headers.get("content-type"), usdc: csv.headers.get("x-refill-total-usdc"), lamports: csv.headers.get("x-refill-total-lamports") }).toEqual({
        status: 200,
        type: "text/csv; charset=utf-8",
        usdc: "8765433",
        lamports: "39999999",
      })
      const lines = text.trimEnd().split("\r\n").map((l) => l.split(","))
      expect(lines[0]).toEqual(["wallet_id", "public_key", "status", "usdc_balance", "usdc_needed", "lamports", "lamports_needed", "last_balance_check_at", "last_balance_error"])
      expect(lines.slice(1).map((l) => [l[0], l[4], l[6]])).toEqual(report.body.wallets.map((w: { wallet_id: string; usdc_needed: number; lamports_needed: number }) => [w.wallet_id, String(w.usdc_needed), String(w.lamports_needed)]))
      expect(await admin(h, "/admin/pool/refill-report?format=xml")).toMatchObject({ status: 422 })
    })
  })
}

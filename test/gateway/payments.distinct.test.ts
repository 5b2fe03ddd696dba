// One payment of its own per call, under concurrency, through the whole
// pipeline against the sandbox, on every dialect. A marketplace transaction
// carries no per-call data: the same wallet paying the same agent under the
// same blockhash signs the same bytes, which a chain processes once. Ten
// concurrent calls must still make ten distinct payments, each settled on
// the ledger with its own intent and receipt.
import { afterAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { titleGenerator } from "../../src/modules/sandbox/agents/text"
import { warmMemory } from "../../src/modules/sandbox/agents/warm-memory"
import { sandboxOwnerWallet, sandboxProtocolFeeWallet } from "../../src/modules/sandbox/identities"
import { periodOf } from "../../src/platform/period"
import { Store } from "../../src/store/store"
import type { UsageRow } from "../../src/store/usage/repo"
import { readJson } from "../support/app"
import { bearer, register } from "../support/accounts"
import { dialects } from "../support/db"
import { makeGatewayApp, type GatewayApp } from "../support/gateway"

const N = 10
// Sandbox fee is 10%: title-generator costs 10 000 base units (owner 9 000),
// warm-memory 1 000 (owner 900).
const TITLE_OWNER_SHARE = 9_000
const MEMORY_OWNER_SHARE = 900
// Room for ten calls at once from one key.
const TIERS = JSON.stringify({ free: { ratePerMinute: 10_000, monthlyQuota: null, concurrency: 100 } })

const opened: Array<GatewayApp> = []
afterAll(async () => {
  for (const g of opened) await g.close()
})

const gateway = async (dialect: (typeof dialects)[number], wallets: number) => {
  const g = await makeGatewayApp(dialect, { TIERS_JSON: TIERS })
  opened.push(g)
  const pool = await g.seedPool(wallets)
  return { g, pool }
}

const fire = (g: GatewayApp, key: string, path: string, input: (i: number) => unknown) =>
  Promise.all(Array.from({ length: N }, (_, i) => g.request(path, { method: "POST", json: input(i), headers: bearer(key) }).then(readJson)))

const usageRows = (g: GatewayApp, keyId: string) => g.runtime.runPromise(Effect.flatMap(Store, (s) => s.usage.history({ keyId, limit: 1000 })))

const rpc = async (g: GatewayApp, method: string, params: Array<unknown>) => {
  const r = await readJson(await g.request("/sandbox/solana", { method: "POST", json: { jsonrpc: "2.0", id: 1, method, params } }))
  if (r.body?.error) throw new Error(`${method}: ${r.text}`)
  return r.body.result
}

const receiptOf = async (g: GatewayApp, id: string) => readJson(await g.request(`/sandbox/tetto/api/receipts/${id}`))

/**
 * Every 200 has its own signature, its own settled row (own intent, own
 * signature, the wallet that signed), a receipt on the sandbox for that
 * intent and signature (a receipt exists only for a completed intent), and
 * a successful signature on the chain.
 */
const expectDistinctPayments = async (g: GatewayApp, keyId: string, results: ReadonlyArray<Awaited<ReturnType<typeof readJson>>>, pool: ReadonlyArray<{ id: string; publicKey: string }>) => {
  for (const r of results) expect({ status: r.status, body: r.body }).toMatchObject({ status: 200, body: { success: true } })
  const signatures = results.map((r) => r.body.receipt.tx_signature as string)
  expect(new Set(signatures).size).toBe(N)
  const receiptIds = results.map((r) => r.body.receipt.receipt_id as string)
  expect(new Set(receiptIds).size).toBe(N)

  const rows = await usageRows(g, keyId)
  expect(rows.length).toBe(N)
  expect(rows.map((r) => r.state)).toEqual(Array(N).fill("settled"))
  expect(new Set(rows.map((r) => r.txSignature)).size).toBe(N)
  expect(new Set(rows.map((r) => r.paymentIntentId)).size).toBe(N)
  for (const r of rows) expect(r.paymentIntentId).toBeTruthy()
  expect(new Set(rows.map((r) => r.txSignature))).toEqual(new Set(signatures))
  const rowBySignature = new Map(rows.map((r) => [r.txSignature!, r] as const))
  const publicKeyOf = new Map(pool.map((w) => [w.id, w.publicKey] as const))

  for (const r of results) {
    const row = rowBySignature.get(r.body.receipt.tx_signature) as UsageRow
    expect(row.receiptId).toBe(r.body.receipt.receipt_id)
    const receipt = await receiptOf(g, r.body.receipt.receipt_id)
    expect(receipt).toMatchObject({
      status: 200,
      body: { ok: true, receipt: { tx_signature: row.txSignature, payment_intent_id: row.paymentIntentId, caller_wallet: publicKeyOf.get(row.walletId) } },
    })
  }
  // The month's counters equal the rows.
  const period = periodOf(rows[0]!.createdAt)
  expect(await g.runtime.runPromise(Effect.flatMap(Store, (s) => s.periods.get(keyId, period)))).toEqual({
    ops: N,
    spendMicroUsd: rows.reduce((sum, r) => sum + r.developerPriceMicroUsd, 0),
  })
  const statuses = await rpc(g, "getSignatureStatuses", [signatures])
  expect(statuses.value.length).toBe(N)
  for (const s of statuses.value) expect(s).toMatchObject({ err: null, status: { Ok: null }, confirmationStatus: "finalized" })
  return rows
}

const poolUsdc = async (g: GatewayApp, pool: ReadonlyArray<{ publicKey: string }>) => {
  let total = 0
  for (const w of pool) total += await g.usdcBalance(w.publicKey)
  return total
}

for (const dialect of dialects) {
  describe(`one payment per call under concurrency (${dialect})`, () => {
    test(`${N} concurrent title-generator calls from one key over a pool of 4: ${N} distinct payments, each settled`, async () => {
      const { g, pool } = await gateway(dialect, 4)
      const a = await register(g)
      const owner = sandboxOwnerWallet(titleGenerator.slug).toBase58()
      const fee = sandboxProtocolFeeWallet.toBase58()
      const [ownerBefore, feeBefore, poolBefore] = [await g.usdcBalance(owner), await g.usdcBalance(fee), await poolUsdc(g, pool)]

      const results = await fire(g, a.key, "/v1/agents/title-generator", (i) => ({ text: `Concurrent call number ${i} pays on its own` }))
      const rows = await expectDistinctPayments(g, a.keyId, results, pool)

      expect(await g.usdcBalance(owner)).toBe(ownerBefore + N * TITLE_OWNER_SHARE)
      expect(await g.usdcBalance(fee)).toBe(feeBefore + N * (titleGenerator.priceBase - TITLE_OWNER_SHARE))
      // What left the pool is what the rows say, to the unit.
      expect(poolBefore - (await poolUsdc(g, pool))).toBe(rows.reduce((sum, r) => sum + r.priceBase, 0))
      expect(rows.reduce((sum, r) => sum + r.priceBase, 0)).toBe(N * titleGenerator.priceBase)
    })

    test(`${N} concurrent warm-memory calls from one key: ${N} distinct payments, all from the key's own wallet`, async () => {
      const { g, pool } = await gateway(dialect, 4)
      const a = await register(g)
      const owner = sandboxOwnerWallet(warmMemory.slug).toBase58()
      const ownerBefore = await g.usdcBalance(owner)

      const results = await fire(g, a.key, "/v1/agents/warmmemory", (i) => ({ action: "store", key: `k${i}`, value: `v${i}` }))
      const rows = await expectDistinctPayments(g, a.keyId, results, pool)

      // A storage agent's data lives under the key's wallet: no other payer.
      expect(new Set(rows.map((r) => r.walletId)).size).toBe(1)
      const keyWallet = await g.runtime.runPromise(Effect.flatMap(Store, (s) => s.keys.findById(a.keyId)))
      expect(rows[0]!.walletId).toBe(keyWallet!.walletId!)
      expect(await g.usdcBalance(owner)).toBe(ownerBefore + N * MEMORY_OWNER_SHARE)
      // Every write landed in the key's one namespace.
      const list = await readJson(await g.request("/v1/agents/warmmemory", { method: "POST", json: { action: "list" }, headers: bearer(a.key) }))
      expect(list).toMatchObject({ status: 200 })
      expect(JSON.stringify(list.body.output)).toContain("k9")
    })

    test(`a pool of one wallet: ${N} concurrent title-generator calls still make ${N} distinct payments`, async () => {
      const { g, pool } = await gateway(dialect, 1)
      const a = await register(g)
      const owner = sandboxOwnerWallet(titleGenerator.slug).toBase58()
      const [ownerBefore, poolBefore] = [await g.usdcBalance(owner), await poolUsdc(g, pool)]

      const results = await fire(g, a.key, "/v1/agents/title-generator", (i) => ({ text: `One wallet, call ${i}` }))
      const rows = await expectDistinctPayments(g, a.keyId, results, pool)

      expect(new Set(rows.map((r) => r.walletId))).toEqual(new Set([pool[0]!.id]))
      expect(await g.usdcBalance(owner)).toBe(ownerBefore + N * TITLE_OWNER_SHARE)
      expect(poolBefore - (await poolUsdc(g, pool))).toBe(N * titleGenerator.priceBase)
    })
  })
}

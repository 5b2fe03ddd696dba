import { afterEach, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { Networks } from "../../src/modules/network/service"
import { makeTestApp } from "../support/app"
import { AGENT_ID, agent, client, INTENT_ID, json, OWNER, PAYER, RECEIPT_ID, run, signedTransaction, startFake, type Fake } from "./fake-marketplace"

let fake: Fake | undefined
afterEach(() => fake?.stop())

describe("marketplace client: successful exchanges", () => {
  test("listAgents sends limit and offset and returns the page with integer prices", async () => {
    let query = ""
    fake = startFake((req) => {
      query = new URL(req.url).search
      return json({ ok: true, agents: [agent(), agent({ id: "11111111-2222-4333-8444-555555555555", price_base: 1000 })], count: 2, pagination: { limit: 2, offset: 4, total: 9, hasMore: true } })
    })
    const page = await run(client(fake.url).listAgents({ limit: 2, offset: 4 }))
    expect(query).toBe("?limit=2&offset=4")
    expect(page.agents.map((a) => a.price_base)).toEqual([10_000, 1000])
    expect(page.pagination).toEqual({ limit: 2, offset: 4, total: 9, hasMore: true })
  })

  test("listAgents clamps the limit to the platform's 1..1000", async () => {
    const seen: Array<string> = []
    fake = startFake((req) => {
      seen.push(new URL(req.url).search)
      return json({ ok: true, agents: [], count: 0, pagination: { limit: 0, offset: 0, total: 0, hasMore: false } })
    })
    await run(client(fake.url).listAgents({ limit: 5000 }))
    await run(client(fake.url).listAgents({ limit: 0, offset: -3 }))
    expect(seen).toEqual(["?limit=1000&offset=0", "?limit=1&offset=0"])
  })

  test("getAgent returns the agent; build posts the body and maps the quote", async () => {
    fake = startFake((req) => {
      const path = new URL(req.url).pathname
      if (path === `/api/agents/${AGENT_ID}`) return json({ ok: true, agent: agent() })
      return json({ ok: true, transaction: "AQID", payment_intent_id: INTENT_ID, amount_base: 10_000, token: "USDC", expires_at: "2030-01-01T00:00:00Z", input_hash: "ab".repeat(32) })
    })
    const m = client(fake.url)
    expect((await run(m.getAgent(AGENT_ID))).owner_wallet).toBe(OWNER)
    const built = await run(m.buildTransaction(AGENT_ID, { payer_wallet: PAYER, input: { text: "hi" }, selected_token: "USDC" }))
    expect(built).toMatchObject({ transaction: "AQID", paymentIntentId: INTENT_ID, amountBase: 10_000, token: "USDC" })
    expect(fake.count(`POST /api/agents/${AGENT_ID}/build-transaction`)).toBe(1)
    expect(fake.bodies).toEqual([{ payer_wallet: PAYER, input: { text: "hi" }, selected_token: "USDC" }])
  })

  test("call posts the intent and signed transaction and returns output, signature and receipt", async () => {
    const tx = signedTransaction()
    fake = startFake(() => json({ ok: true, message: "done", output: { echo: "hi" }, tx_signature: tx.signature, receipt_id: RECEIPT_ID, explorer_url: "x", agent_received: 9000, protocol_fee: 1000 }))
    const r = await run(client(fake.url).call({ payment_intent_id: INTENT_ID, signed_transaction: tx.base64 }))
    expect(r).toEqual({ output: { echo: "hi" }, txSignature: tx.signature, receiptId: RECEIPT_ID, agentReceived: 9000, protocolFee: 1000, message: "done" })
    expect(fake.bodies).toEqual([{ payment_intent_id: INTENT_ID, signed_transaction: tx.base64 }])
  })

  test("getReceipt returns the receipt", async () => {
    fake = startFake(() => json({ ok: true, receipt: { id: RECEIPT_ID, tx_signature: "5sig", payment_intent_id: INTENT_ID, caller_wallet: PAYER } }))
    const r = await run(client(fake.url).getReceipt(RECEIPT_ID))
    expect(r).toMatchObject({ tx_signature: "5sig", payment_intent_id: INTENT_ID })
    expect(fake.count(`GET /api/receipts/${RECEIPT_ID}`)).toBe(1)
  })

  test("the live network's marketplace reads TETTO_API_URL from the config", async () => {
    fake = startFake(() => json({ ok: true, agent: agent({ name: "From config" }) }))
    const h = await makeTestApp("sqlite", { TETTO_NETWORK: "devnet", TETTO_API_URL: fake.url })
    const a = await h.runtime.runPromise(Effect.flatMap(Networks, (n) => n.live.marketplace.getAgent(AGENT_ID))).finally(() => h.close())
    expect(a.name).toBe("From config")
  })
})

// Reads and builds are retried on transient failures; a submit is sent once,
// whatever happens, because a second send could pay twice.
import { afterEach, describe, expect, test } from "bun:test"
import { AGENT_ID, agent, client, closedPortUrl, failureOf, INTENT_ID, json, PAYER, run, signedTransaction, startDropper, startFake, type Fake } from "./fake-marketplace"

let fake: Fake | undefined
let dropper: ReturnType<typeof startDropper> | undefined
afterEach(() => {
  fake?.stop()
  dropper?.stop()
  fake = undefined
  dropper = undefined
})

const CALL = "POST /api/agents/call"
const GET_AGENT = `GET /api/agents/${AGENT_ID}`
const BUILD = `POST /api/agents/${AGENT_ID}/build-transaction`
const built = { ok: true, transaction: "AQID", payment_intent_id: INTENT_ID, amount_base: 10_000, token: "USDC", expires_at: "2030-01-01T00:00:00Z", input_hash: "ab" }
const html502 = () => new Response("<html>Bad Gateway</html>", { status: 502, headers: { "content-type": "text/html" } })
const submit = (url: string, over = {}) => client(url, over).call({ payment_intent_id: INTENT_ID, signed_transaction: signedTransaction().base64 })

describe("marketplace client: reads and builds retry transient failures", () => {
  test("500, then an HTML 502, then success: getAgent answers after three requests", async () => {
    fake = startFake((_, n) => (n === 1 ? json({ ok: false, error: "db down" }, 500) : n === 2 ? html502() : json({ ok: true, agent: agent() })))
    const a = await run(client(fake.url, { readAttempts: 3 }).getAgent(AGENT_ID))
    expect(a.id).toBe(AGENT_ID)
    expect(fake.count(GET_AGENT)).toBe(3)
  })

  test("429 then success on a build: retried", async () => {
    fake = startFake((_, n) => (n === 1 ? json({ ok: false, error: "slow down" }, 429) : json(built)))
    const b = await run(client(fake.url).buildTransaction(AGENT_ID, { payer_wallet: PAYER, input: {} }))
    expect(b.paymentIntentId).toBe(INTENT_ID)
    expect(fake.count(BUILD)).toBe(2)
  })

  test("attempts are bounded: a read failing with 503 every time stops after MARKETPLACE_READ_ATTEMPTS", async () => {
    fake = startFake(() => json({ ok: false, error: "maintenance" }, 503))
    const e = await failureOf(client(fake.url, { readAttempts: 4 }).listAgents())
    expect(e).toMatchObject({ _tag: "MarketplaceRefused", status: 503, upstream: "maintenance" })
    expect(fake.count("GET /api/agents")).toBe(4)
  })

  test("a stalled read times out per attempt and is retried: MarketplaceTimedOut after every attempt", async () => {
    fake = startFake(async () => {
      await Bun.sleep(2000)
      return json({ ok: true, agent: agent() })
    })
    const started = performance.now()
    const e = await failureOf(client(fake.url, { timeoutMs: 100, readAttempts: 2 }).getAgent(AGENT_ID))
    expect(e).toMatchObject({ _tag: "MarketplaceTimedOut", timeoutMs: 100 })
    expect(fake.count(GET_AGENT)).toBe(2)
    expect(performance.now() - started).toBeLessThan(1500)
  })

  test("a dropped connection on a read is retried", async () => {
    dropper = startDropper()
    const e = await failureOf(client(dropper.url, { readAttempts: 3 }).getAgent(AGENT_ID))
    expect(e).toMatchObject({ _tag: "MarketplaceUnreachable", sent: true })
    expect(dropper.requests()).toBe(3)
  })

  test("refusals that will not change are not retried: input invalid, not found, private", async () => {
    fake = startFake((req) => {
      const path = new URL(req.url).pathname
      if (path.endsWith("build-transaction")) return json({ ok: false, error: "Input validation failed: x" }, 400)
      return json({ ok: false, error: "Agent not found" }, 404)
    })
    const m = client(fake.url, { readAttempts: 5 })
    expect(await failureOf(m.buildTransaction(AGENT_ID, { payer_wallet: PAYER, input: {} }))).toMatchObject({ _tag: "AgentInputInvalid" })
    expect(await failureOf(m.getAgent(AGENT_ID))).toMatchObject({ _tag: "AgentNotFound" })
    expect(fake.count(BUILD)).toBe(1)
    expect(fake.count(GET_AGENT)).toBe(1)
  })
})

describe("marketplace client: a submit is never retried", () => {
  test("a 500 answer: exactly one request", async () => {
    fake = startFake(() => json({ ok: false, error: "boom" }, 500))
    expect(await failureOf(submit(fake.url, { readAttempts: 5 }))).toMatchObject({ _tag: "CallOutcomeUnknown", paymentIntentId: INTENT_ID })
    expect(fake.count(CALL)).toBe(1)
  })

  test("an HTML 502: exactly one request", async () => {
    fake = startFake(html502)
    expect(await failureOf(submit(fake.url, { readAttempts: 5 }))).toMatchObject({ _tag: "CallOutcomeUnknown" })
    expect(fake.count(CALL)).toBe(1)
  })

  test("no answer within MARKETPLACE_CALL_TIMEOUT_MS → CallOutcomeUnknown carrying the intent and transaction id; one request", async () => {
    const tx = signedTransaction()
    fake = startFake(async () => {
      await Bun.sleep(2000)
      return json({ ok: true })
    })
    const started = performance.now()
    const e = await failureOf(client(fake.url, { callTimeoutMs: 150, readAttempts: 5 }).call({ payment_intent_id: INTENT_ID, signed_transaction: tx.base64 }))
    expect(e).toMatchObject({ _tag: "CallOutcomeUnknown", paymentIntentId: INTENT_ID, txSignature: tx.signature, reason: "no answer within 150 ms" })
    expect(fake.count(CALL)).toBe(1)
    expect(performance.now() - started).toBeLessThan(1500)
  })

  test("the call timeout is separate from the read timeout: a 300 ms agent succeeds with a 100 ms read timeout", async () => {
    fake = startFake(async () => {
      await Bun.sleep(300)
      return json({ ok: true, message: "ok", output: { a: 1 }, tx_signature: "sig", receipt_id: "r", explorer_url: "", agent_received: 1, protocol_fee: 0 })
    })
    const r = await run(submit(fake.url, { timeoutMs: 100, callTimeoutMs: 2000 }))
    expect(r.output).toEqual({ a: 1 })
  })

  test("the connection dropped after sending → CallOutcomeUnknown; one request", async () => {
    dropper = startDropper()
    const e = await failureOf(submit(dropper.url, { readAttempts: 5 }))
    expect(e).toMatchObject({ _tag: "CallOutcomeUnknown", paymentIntentId: INTENT_ID })
    expect((e as { reason: string }).reason).toStartWith("connection lost:")
    expect(dropper.requests()).toBe(1)
  })

  test("connection refused: nothing was sent, so it is MarketplaceUnreachable with sent=false (safe to fail the row)", async () => {
    const e = await failureOf(submit(closedPortUrl()))
    expect(e).toMatchObject({ _tag: "MarketplaceUnreachable", sent: false, operation: "call agent" })
  })
})

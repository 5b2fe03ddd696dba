// Each failure shape the platform (or a proxy in front of it) produces, and
// the tagged error the gateway acts on.
import { afterEach, describe, expect, test } from "bun:test"
import { protocolErrors } from "../../src/modules/marketplace/protocol"
import { AGENT_ID, agent, client, INTENT_ID, json, PAYER, RECEIPT_ID, failureOf, signedTransaction, startFake, type Fake } from "./fake-marketplace"

let fake: Fake | undefined
afterEach(() => fake?.stop())

const build = (url: string) => client(url, { readAttempts: 1 }).buildTransaction(AGENT_ID, { payer_wallet: PAYER, input: { q: 1 } })
const call = (url: string) => client(url).call({ payment_intent_id: INTENT_ID, signed_transaction: signedTransaction().base64 })

describe("marketplace client: classified refusals", () => {
  const cases: ReadonlyArray<{ name: string; status: number; error: string; via: "build" | "call"; tag: string; extra?: Record<string, unknown> }> = [
    { name: "input rejected by the agent's schema", status: 400, error: `${protocolErrors.inputValidation} /q must be string`, via: "build", tag: "AgentInputInvalid", extra: { agentId: AGENT_ID, upstream: `${protocolErrors.inputValidation} /q must be string` } },
    { name: "payer lacks funds (simulation)", status: 402, error: `${protocolErrors.insufficientFunds} but found no record of a prior credit.`, via: "call", tag: "PayerLacksFunds" },
    { name: "payer lacks funds at build", status: 400, error: `${protocolErrors.insufficientFunds} but found no record of a prior credit.`, via: "build", tag: "PayerLacksFunds" },
    { name: "agent timeout", status: 504, error: "Agent timeout (20s limit exceeded)", via: "call", tag: "AgentTimedOut", extra: { paymentIntentId: INTENT_ID } },
    { name: "agent output invalid", status: 500, error: `${protocolErrors.outputValidation} missing answer`, via: "call", tag: "AgentOutputInvalid", extra: { paymentIntentId: INTENT_ID } },
    { name: "private agent at build", status: 403, error: protocolErrors.privateAgent, via: "build", tag: "AgentPrivate", extra: { agentId: AGENT_ID } },
    { name: "private agent at call", status: 403, error: `${protocolErrors.privateAgent}: wallet not allowed`, via: "call", tag: "AgentPrivate" },
    { name: "intent expired", status: 400, error: `${protocolErrors.intentExpired} at 2025-01-01`, via: "call", tag: "PaymentIntentExpired", extra: { paymentIntentId: INTENT_ID } },
    { name: "agent not found at build", status: 404, error: protocolErrors.agentNotFound, via: "build", tag: "AgentNotFound", extra: { reason: "unknown" } },
    { name: "intent already used: it may have paid", status: 400, error: protocolErrors.intentUsed, via: "call", tag: "CallOutcomeUnknown", extra: { paymentIntentId: INTENT_ID } },
    { name: "an unknown 4xx refusal of a submit", status: 400, error: "Transaction signature verification failed", via: "call", tag: "MarketplaceRefused", extra: { status: 400 } },
    { name: "an unknown 5xx answer to a submit may follow a payment", status: 500, error: "Internal error", via: "call", tag: "CallOutcomeUnknown" },
    { name: "an unknown refusal of a build", status: 400, error: "selected_token not supported", via: "build", tag: "MarketplaceRefused", extra: { status: 400, upstream: "selected_token not supported" } },
  ]
  for (const c of cases) {
    test(`${c.name} → ${c.tag}`, async () => {
      fake = startFake(() => json({ ok: false, error: c.error }, c.status))
      const e = c.via === "build" ? await failureOf(build(fake.url)) : await failureOf(call(fake.url))
      expect(e).toMatchObject({ _tag: c.tag, ...c.extra })
    })
  }

  test("ok:false with HTTP 200 is a failure all the same (the official client trusts ok)", async () => {
    fake = startFake(() => json({ ok: false, error: `${protocolErrors.inputValidation} bad` }, 200))
    expect(await failureOf(build(fake.url))).toMatchObject({ _tag: "AgentInputInvalid" })
  })

  test("status decides when the text is unknown: 404 → AgentNotFound, 403 → AgentPrivate, receipt 404 → ReceiptNotFound", async () => {
    fake = startFake((req) => {
      const path = new URL(req.url).pathname
      if (path.startsWith("/api/receipts/")) return json({ ok: false, error: "nope" }, 404)
      return json({ ok: false, error: "nope" }, path.endsWith("build-transaction") ? 403 : 404)
    })
    const m = client(fake.url)
    expect(await failureOf(m.getAgent(AGENT_ID))).toMatchObject({ _tag: "AgentNotFound", agentId: AGENT_ID, reason: "unknown" })
    expect(await failureOf(m.buildTransaction(AGENT_ID, { payer_wallet: PAYER, input: {} }))).toMatchObject({ _tag: "AgentPrivate" })
    expect(await failureOf(m.getReceipt(RECEIPT_ID))).toMatchObject({ _tag: "ReceiptNotFound", receiptId: RECEIPT_ID })
  })

  test("a non-UUID agent id is refused before anything is sent", async () => {
    fake = startFake(() => json({ ok: true, agent: agent() }))
    const m = client(fake.url)
    for (const id of ["../admin", "not-a-uuid", `${AGENT_ID}x`, ""]) {
      expect(await failureOf(m.getAgent(id))).toMatchObject({ _tag: "AgentNotFound", reason: "malformed_id" })
      expect(await failureOf(m.buildTransaction(id, { payer_wallet: PAYER, input: {} }))).toMatchObject({ _tag: "AgentNotFound", reason: "malformed_id" })
    }
    expect(await failureOf(m.getReceipt("r1"))).toMatchObject({ _tag: "ReceiptNotFound" })
    expect(fake.count(`GET /api/agents/${AGENT_ID}`) + fake.bodies.length).toBe(0)
  })

  test("upstream text is truncated and secret-shaped strings are scrubbed", async () => {
    fake = startFake(() => json({ ok: false, error: `bad thing: token sk_live_abcdefghijklmnop ${"x".repeat(2000)}` }, 400))
    const e = await failureOf(build(fake.url))
    expect(e).toMatchObject({ _tag: "MarketplaceRefused" })
    const upstream = (e as { upstream: string }).upstream
    expect(upstream.length).toBeLessThanOrEqual(301)
    expect(upstream).toStartWith("bad thing: token sk_live_[REDACTED]")
  })

  test("credentials in TETTO_API_URL never reach an error, even when the server echoes them", async () => {
    // The server repeats what it received: the URL and the Authorization header fetch derives from user:pass.
    fake = startFake((req) => json({ ok: false, error: `denied ${req.url} auth=${req.headers.get("authorization")} basic=${atob((req.headers.get("authorization") ?? "Basic ").slice(6))}` }, 400))
    const withCreds = fake.url.replace("http://", "http://admin:hunter2@")
    const e = await failureOf(client(withCreds, { readAttempts: 1 }).buildTransaction(AGENT_ID, { payer_wallet: PAYER, input: {} }))
    expect(e).toMatchObject({ _tag: "MarketplaceRefused", status: 400 })
    const text = JSON.stringify(e)
    expect(text).toContain("denied")
    expect(text).not.toMatch(/hunter2|YWRtaW46aHVudGVyMg|127\.0\.0\.1/)
  })

  test("a refused connection names no URL", async () => {
    const e = await failureOf(client("http://admin:hunter2@127.0.0.1:1", { readAttempts: 1 }).getAgent(AGENT_ID))
    expect(e).toMatchObject({ _tag: "MarketplaceUnreachable", sent: false })
    expect(JSON.stringify(e)).not.toMatch(/hunter2|127\.0\.0\.1/)
  })
})

describe("marketplace client: answers that are not the protocol's JSON", () => {
  test("an HTML error page on a read → MarketplaceBadResponse naming the content type", async () => {
    fake = startFake(() => new Response("<html><body>502 Bad Gateway</body></html>", { status: 502, headers: { "content-type": "text/html" } }))
    expect(await failureOf(client(fake.url, { readAttempts: 1 }).getAgent(AGENT_ID))).toMatchObject({ _tag: "MarketplaceBadResponse", status: 502, reason: "not JSON (text/html)" })
  })

  test("an empty body → MarketplaceBadResponse", async () => {
    fake = startFake(() => new Response(null, { status: 200 }))
    expect(await failureOf(client(fake.url, { readAttempts: 1 }).listAgents())).toMatchObject({ _tag: "MarketplaceBadResponse", reason: "empty body" })
  })

  test("ok:true with a non-integer price → MarketplaceBadResponse, never a float price", async () => {
    fake = startFake(() => json({ ok: true, agent: agent({ price_base: 0.01 }) }))
    expect(await failureOf(client(fake.url, { readAttempts: 1 }).getAgent(AGENT_ID))).toMatchObject({ _tag: "MarketplaceBadResponse", reason: "agent.price_base is missing or malformed" })
  })

  test("an HTML 504 from a proxy in front of a submit → CallOutcomeUnknown with the transaction id", async () => {
    const tx = signedTransaction()
    fake = startFake(() => new Response("<html>Gateway Timeout</html>", { status: 504, headers: { "content-type": "text/html" } }))
    const e = await failureOf(client(fake.url).call({ payment_intent_id: INTENT_ID, signed_transaction: tx.base64 }))
    expect(e).toMatchObject({ _tag: "CallOutcomeUnknown", paymentIntentId: INTENT_ID, txSignature: tx.signature })
  })

  test("an HTML 404 to a submit (wrong URL) never reached the platform → MarketplaceBadResponse", async () => {
    fake = startFake(() => new Response("<html>Not Found</html>", { status: 404, headers: { "content-type": "text/html" } }))
    expect(await failureOf(call(fake.url))).toMatchObject({ _tag: "MarketplaceBadResponse", status: 404 })
  })

  test("a success answer to a submit missing its receipt → CallOutcomeUnknown (it probably ran)", async () => {
    fake = startFake(() => json({ ok: true, output: {}, tx_signature: "sig" }))
    expect(await failureOf(call(fake.url))).toMatchObject({ _tag: "CallOutcomeUnknown", reason: "unreadable success answer: call.receipt_id is missing or malformed" })
  })
})

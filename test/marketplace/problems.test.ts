// What the developer sees for each marketplace and chain failure.
import { describe, expect, test } from "bun:test"
import { toProblem } from "../../src/app/error-map"
import { ChainUnavailable } from "../../src/modules/chain/errors"
import * as E from "../../src/modules/marketplace/errors"
import { ConfigInvalid, loadConfig } from "../../src/platform/config/config"
import { AGENT_ID, INTENT_ID } from "./fake-marketplace"

const problem = (e: Parameters<typeof toProblem>[0]) => toProblem(e, "req_1")

describe("marketplace and chain problem documents", () => {
  test("each failure has its status and code", () => {
    const cases: Array<[Parameters<typeof toProblem>[0], number, string]> = [
      [new E.AgentNotFound({ agentId: AGENT_ID, reason: "unknown" }), 404, "agent_not_found"],
      [new E.AgentInputInvalid({ agentId: AGENT_ID, upstream: "Input validation failed: q" }), 422, "agent_input_invalid"],
      [new E.PayerLacksFunds({ upstream: "Simulation failed: Attempt to debit an account" }), 503, "payer_lacks_funds"],
      [new E.AgentTimedOut({ paymentIntentId: INTENT_ID, upstream: "Agent timeout" }), 504, "agent_timed_out"],
      [new E.AgentOutputInvalid({ paymentIntentId: INTENT_ID, upstream: "Output validation failed" }), 502, "agent_output_invalid"],
      [new E.AgentPrivate({ agentId: AGENT_ID, upstream: "PRIVATE_AGENT_UNAUTHORIZED" }), 403, "agent_private"],
      [new E.PaymentIntentExpired({ paymentIntentId: INTENT_ID, upstream: "Payment intent expired" }), 502, "payment_intent_expired"],
      [new E.ReceiptNotFound({ receiptId: "r" }), 404, "receipt_not_found"],
      [new E.MarketplaceUnreachable({ operation: "get agent", reason: "ECONNREFUSED", sent: false }), 502, "marketplace_unreachable"],
      [new E.MarketplaceTimedOut({ operation: "get agent", timeoutMs: 10 }), 504, "marketplace_timed_out"],
      [new E.MarketplaceBadResponse({ operation: "get agent", status: 502, reason: "not JSON (text/html)" }), 502, "marketplace_bad_response"],
      [new E.MarketplaceRefused({ operation: "build transaction", status: 400, upstream: "no" }), 502, "marketplace_refused"],
      [new E.CallOutcomeUnknown({ paymentIntentId: INTENT_ID, txSignature: "sig", reason: "timeout" }), 504, "call_outcome_unknown"],
      [new ChainUnavailable({ operation: "getBalance", reason: "down" }), 503, "chain_unavailable"],
    ]
    for (const [e, status, code] of cases) expect({ tag: e._tag, status: problem(e).body.status, code: problem(e).body.code }).toEqual({ tag: e._tag, status, code })
  })

  test("a malformed agent id says ids are UUIDs; input errors keep the platform's text", () => {
    expect(problem(new E.AgentNotFound({ agentId: "abc", reason: "malformed_id" })).body.detail).toBe('"abc" is not an agent id: agent ids are UUIDs.')
    expect(problem(new E.AgentInputInvalid({ agentId: AGENT_ID, upstream: "Input validation failed: /q must be string" })).body.detail).toContain("/q must be string")
  })

  test("an underfunded pool wallet is not blamed on the developer and reveals nothing of the wallet", () => {
    const p = problem(new E.PayerLacksFunds({ upstream: "Simulation failed: Attempt to debit an account 9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM" }))
    expect(p.body.detail).not.toContain("9WzDX")
    expect(p.headers["retry-after"]).toBe("60")
  })

  test("an unknown outcome carries the payment intent but not the transaction internals", () => {
    const p = problem(new E.CallOutcomeUnknown({ paymentIntentId: INTENT_ID, txSignature: "sig", reason: "connection lost: ECONNRESET" }))
    expect(p.body).toMatchObject({ status: 504, payment_intent_id: INTENT_ID })
    expect(JSON.stringify(p.body)).not.toContain("ECONNRESET")
  })

  test("retry classification: transient failures only", () => {
    expect(E.isTransient(new E.MarketplaceRefused({ operation: "x", status: 503, upstream: "" }))).toBe(true)
    expect(E.isTransient(new E.MarketplaceRefused({ operation: "x", status: 429, upstream: "" }))).toBe(true)
    expect(E.isTransient(new E.MarketplaceRefused({ operation: "x", status: 400, upstream: "" }))).toBe(false)
    expect(E.isTransient(new E.CallOutcomeUnknown({ paymentIntentId: "p", txSignature: undefined, reason: "" }))).toBe(false)
    expect(E.mayHaveSettled(new E.AgentTimedOut({ paymentIntentId: "p", upstream: "" }))).toBe(true)
    expect(E.mayHaveSettled(new E.PaymentIntentExpired({ paymentIntentId: "p", upstream: "" }))).toBe(false)
  })

  test("config: marketplace timeouts, cache TTL and USDC_MINT are validated", () => {
    const c = loadConfig({})
    expect([c.marketplaceTimeoutMs, c.marketplaceCallTimeoutMs, c.marketplaceAgentCacheTtlMs, c.marketplaceReadAttempts, c.solanaRpcTimeoutMs]).toEqual([10_000, 30_000, 30_000, 3, 10_000])
    const problems = (() => {
      try {
        loadConfig({ MARKETPLACE_CALL_TIMEOUT_MS: "soon", USDC_MINT: "not-a-key!", MARKETPLACE_READ_ATTEMPTS: "0" })
        return []
      } catch (e) {
        return (e as ConfigInvalid).problems
      }
    })()
    expect(problems).toEqual([
      'MARKETPLACE_CALL_TIMEOUT_MS: expected an integer from 1 to 900000, got "soon"',
      'MARKETPLACE_READ_ATTEMPTS: expected an integer from 1 to 10, got "0"',
      'USDC_MINT: expected a base58 Solana public key, got "not-a-key!"',
    ])
  })
})

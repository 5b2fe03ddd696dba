import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Keypair, SystemProgram, Transaction } from "@solana/web3.js"
import bs58 from "bs58"
import { createHash } from "node:crypto"
import { echoSol, titleGenerator } from "../../src/modules/sandbox/agents/text"
import { warmMemory } from "../../src/modules/sandbox/agents/warm-memory"
import { warmAnswers } from "../../src/modules/sandbox/agents/warm-answers"
import { NETWORK_FEE_LAMPORTS, sandboxOwnerWallet, sandboxProtocolFeeWallet } from "../../src/modules/sandbox/identities"
import { dialects } from "../support/db"
import { makeTestApp, readJson, type TestApp } from "../support/app"
import { build, callAgent, fund, lamports, signBase64, submit, usdc } from "./helpers"

for (const dialect of dialects) {
  describe(`sandbox payments (happy path, ${dialect})`, () => {
    let h: TestApp
    beforeAll(async () => {
      h = await makeTestApp(dialect)
    })
    afterAll(() => h.close())

    test("lists public agents without schemas, paginated; detail carries schemas", async () => {
      const page = await readJson(await h.request("/sandbox/tetto/api/agents?limit=3&offset=0"))
      expect(page).toMatchObject({ status: 200, body: { ok: true, count: 3, pagination: { limit: 3, offset: 0, total: 7, hasMore: true } } })
      for (const a of page.body.agents) expect(a.input_schema).toBeUndefined()
      const last = await readJson(await h.request("/sandbox/tetto/api/agents?limit=5&offset=5"))
      expect(last).toMatchObject({ status: 200, body: { count: 2, pagination: { hasMore: false } } })
      expect(last.body.agents.map((a: { is_private: boolean }) => a.is_private)).toEqual([false, false])

      const detail = await readJson(await h.request(`/sandbox/tetto/api/agents/${titleGenerator.id}`))
      expect(detail).toMatchObject({
        status: 200,
        body: { ok: true, agent: { id: titleGenerator.id, price_base: 10_000, token: "USDC", token_decimals: 6, fee_bps: 1000, owner_wallet: sandboxOwnerWallet("title-generator").toBase58() } },
      })
      expect(detail.body.agent.input_schema).toMatchObject({ type: "object", required: ["text"] })
      expect(detail.body.agent.example_inputs.length).toBeGreaterThan(0)
    })

    test("build → sign → submit moves exact USDC: payer −price, owner +price−fee, fee wallet +fee; receipt exists", async () => {
      const payer = Keypair.generate()
      expect(await fund(h, payer.publicKey.toBase58(), { usdc: 1_000_000, sol: 10_000_000 })).toMatchObject({ status: 200, body: { ok: true, usdc_balance: 1_000_000, sol_balance: 10_000_000 } })
      const owner = sandboxOwnerWallet("title-generator")
      const before = { payer: await usdc(h, payer.publicKey), owner: await usdc(h, owner), fee: await usdc(h, sandboxProtocolFeeWallet), sol: await lamports(h, payer.publicKey.toBase58()) }

      const input = { text: "the sandbox moves real integers. Nothing else." }
      const built = await build(h, titleGenerator.id, payer.publicKey.toBase58(), input)
      expect(built).toMatchObject({ status: 200, body: { ok: true, amount_base: 10_000, token: "USDC", input_hash: createHash("sha256").update(JSON.stringify(input)).digest("hex") } })
      const tx = Transaction.from(Buffer.from(built.body.transaction, "base64"))
      expect(tx.feePayer?.toBase58()).toBe(payer.publicKey.toBase58())
      expect(tx.signatures.every((s) => s.signature === null)).toBe(true)
      expect(tx.instructions).toHaveLength(2)
      expect(Date.parse(built.body.expires_at) - Date.now()).toBeGreaterThan(110_000)

      const signed = signBase64(built.body.transaction, payer)
      const called = await submit(h, built.body.payment_intent_id, signed)
      expect(called).toMatchObject({ status: 200, body: { ok: true, output: { title: "The Sandbox Moves Real Integers", words: 5 }, agent_received: 9_000, protocol_fee: 1_000 } })
      expect(called.body.tx_signature).toBe(bs58.encode(Transaction.from(Buffer.from(signed, "base64")).signature!))

      expect(await usdc(h, payer.publicKey)).toBe(before.payer - 10_000)
      expect(await usdc(h, owner)).toBe(before.owner + 9_000)
      expect(await usdc(h, sandboxProtocolFeeWallet)).toBe(before.fee + 1_000)
      expect(await lamports(h, payer.publicKey.toBase58())).toBe(before.sol - NETWORK_FEE_LAMPORTS)

      const receipt = await readJson(await h.request(`/sandbox/tetto/api/receipts/${called.body.receipt_id}`))
      expect(receipt).toMatchObject({
        status: 200,
        body: { ok: true, receipt: { id: called.body.receipt_id, caller_wallet: payer.publicKey.toBase58(), payout_wallet: owner.toBase58(), token: "USDC", amount_display: 0.01, protocol_fee_display: 0.001, tx_signature: called.body.tx_signature, output_data: called.body.output, payment_intent_id: built.body.payment_intent_id } },
      })
      const status = await readJson(await h.request("/sandbox/solana", { method: "POST", json: { jsonrpc: "2.0", id: 7, method: "getSignatureStatuses", params: [[called.body.tx_signature, "1111111111111111111111111111111111111111111111111111111111111111"]] } }))
      expect(status).toMatchObject({ status: 200, body: { id: 7, result: { value: [{ err: null, confirmationStatus: "finalized" }, null] } } })
    })

    test("the SOL-priced agent pays with System transfers in lamports", async () => {
      const payer = Keypair.generate()
      await fund(h, payer.publicKey.toBase58(), { sol: 1_000_000_000 })
      const owner = sandboxOwnerWallet("echo-sol").toBase58()
      const fee = sandboxProtocolFeeWallet.toBase58()
      const before = { payer: await lamports(h, payer.publicKey.toBase58()), owner: await lamports(h, owner), fee: await lamports(h, fee) }
      const built = await build(h, echoSol.id, payer.publicKey.toBase58(), { text: "gm" })
      expect(built).toMatchObject({ status: 200, body: { ok: true, amount_base: 100_000, token: "SOL" } })
      const tx = Transaction.from(Buffer.from(built.body.transaction, "base64"))
      expect(tx.instructions.map((i) => i.programId.toBase58())).toEqual([SystemProgram.programId.toBase58(), SystemProgram.programId.toBase58()])

      const called = await submit(h, built.body.payment_intent_id, signBase64(built.body.transaction, payer))
      expect(called).toMatchObject({ status: 200, body: { ok: true, output: { echo: "gm", length: 2 }, agent_received: 90_000, protocol_fee: 10_000 } })
      expect(await lamports(h, payer.publicKey.toBase58())).toBe(before.payer - 100_000 - NETWORK_FEE_LAMPORTS)
      expect(await lamports(h, owner)).toBe(before.owner + 90_000)
      expect(await lamports(h, fee)).toBe(before.fee + 10_000)
    })

    test("WarmMemory keys data by the caller wallet and, when given, the namespace input.wallet names", async () => {
      const a = Keypair.generate()
      const b = Keypair.generate()
      for (const k of [a, b]) await fund(h, k.publicKey.toBase58(), { usdc: 100_000, sol: 1_000_000 })
      expect(await callAgent(h, warmMemory.id, a, { action: "store", key: "color", value: "blue" })).toMatchObject({ status: 200, body: { ok: true, output: { success: true } } })
      expect(await callAgent(h, warmMemory.id, a, { action: "retrieve", key: "color" })).toMatchObject({ body: { output: { exists: true, value: "blue" } } })
      expect(await callAgent(h, warmMemory.id, b, { action: "retrieve", key: "color" })).toMatchObject({ body: { output: { exists: false, value: null } } })
      await callAgent(h, warmMemory.id, a, { action: "store", key: "shared", value: { n: 1 }, wallet: "tdk_key_1" })
      // A namespace another wallet names is that wallet's own: naming it reaches nothing of a's.
      expect(await callAgent(h, warmMemory.id, b, { action: "retrieve", key: "shared", wallet: "tdk_key_1" })).toMatchObject({ body: { output: { exists: false, value: null } } })
      expect(await callAgent(h, warmMemory.id, a, { action: "retrieve", key: "shared", wallet: "tdk_key_1" })).toMatchObject({ body: { output: { exists: true, value: '{"n":1}' } } })
      await callAgent(h, warmMemory.id, a, { action: "store", key: "colour", value: "red" })
      const listed = await callAgent(h, warmMemory.id, a, { action: "list", prefix: "col", limit: 1 })
      expect(listed).toMatchObject({ body: { output: { items: [{ key: "color", value: "blue" }], next_cursor: "color" } } })
      const next = await callAgent(h, warmMemory.id, a, { action: "list", prefix: "col", limit: 1, cursor: "color" })
      expect(next).toMatchObject({ body: { output: { items: [{ key: "colour", value: "red" }], next_cursor: null } } })
      expect(await usdc(h, a.publicKey)).toBe(100_000 - 7 * 1_000)
    })

    test("WarmAnswers answers a taught question with a fuzzy match and a confidence", async () => {
      const a = Keypair.generate()
      await fund(h, a.publicKey.toBase58(), { usdc: 100_000, sol: 1_000_000 })
      await callAgent(h, warmAnswers.id, a, { action: "teach", question: "What is our refund window?", answer: "30 days" })
      const asked = await callAgent(h, warmAnswers.id, a, { action: "ask", question: "refund window" })
      expect(asked).toMatchObject({ body: { ok: true, output: { success: true, answer: "30 days", confidence: 0.67, matched_question: "What is our refund window?" } } })
      const miss = await callAgent(h, warmAnswers.id, a, { action: "ask", question: "shipping costs to Mars" })
      expect(miss).toMatchObject({ body: { ok: true, output: { success: true, confidence: 0 } } })
      expect(miss.body.output.answer).toBeUndefined()
    })
  })
}

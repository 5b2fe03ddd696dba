import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { ed25519 } from "@noble/curves/ed25519.js"
import { Keypair, Transaction } from "@solana/web3.js"
import { privateResearch, summarizer, titleGenerator } from "../../src/modules/sandbox/agents/text"
import { warmMemory } from "../../src/modules/sandbox/agents/warm-memory"
import { sandboxOwnerWallet, sandboxProtocolFeeWallet } from "../../src/modules/sandbox/identities"
import { dialects } from "../support/db"
import { makeTestApp, readJson, type TestApp } from "../support/app"
import { shiftableClock } from "../support/clock"
import { build, fund, lamports, signBase64, submit, usdc } from "./helpers"

for (const dialect of dialects) {
  describe(`sandbox payments (refusals, ${dialect})`, () => {
    let h: TestApp
    const time = shiftableClock()
    beforeAll(async () => {
      h = await makeTestApp(dialect, {}, { clock: time.clock })
    })
    afterAll(() => h.close())

    const fundedPayer = async (amounts = { usdc: 1_000_000, sol: 10_000_000 }) => {
      const payer = Keypair.generate()
      await fund(h, payer.publicKey.toBase58(), amounts)
      return payer
    }

    const balances = async (payer: Keypair) => ({
      payer: await usdc(h, payer.publicKey),
      payerSol: await lamports(h, payer.publicKey.toBase58()),
      owner: await usdc(h, sandboxOwnerWallet("summarizer")),
      fee: await usdc(h, sandboxProtocolFeeWallet),
    })

    test("a tampered signature is refused and nothing moves; the intent stays usable", async () => {
      const payer = await fundedPayer()
      const built = await build(h, summarizer.id, payer.publicKey.toBase58(), { text: "One. Two." })
      const before = await balances(payer)
      const bytes = Buffer.from(signBase64(built.body.transaction, payer), "base64")
      bytes[1] = bytes[1]! ^ 0xff // first byte of the payer's signature
      expect(await submit(h, built.body.payment_intent_id, bytes.toString("base64"))).toMatchObject({ status: 400, body: { ok: false, error: "Transaction signature verification failed" } })
      // a valid signature by someone else, in the payer's slot
      const tx = Transaction.from(Buffer.from(built.body.transaction, "base64"))
      const other = Keypair.generate()
      tx.addSignature(payer.publicKey, Buffer.from(ed25519.sign(tx.serializeMessage(), other.secretKey.slice(0, 32))))
      expect(await submit(h, built.body.payment_intent_id, tx.serialize({ verifySignatures: false }).toString("base64"))).toMatchObject({ status: 400, body: { ok: false, error: "Transaction signature verification failed" } })
      expect(await balances(payer)).toEqual(before)
      expect(await submit(h, built.body.payment_intent_id, signBase64(built.body.transaction, payer))).toMatchObject({ status: 200, body: { ok: true } })
    })

    test("a message different from the one built is refused, even when validly signed", async () => {
      const payer = await fundedPayer()
      const built = await build(h, summarizer.id, payer.publicKey.toBase58(), { text: "One. Two." })
      const tx = Transaction.from(Buffer.from(built.body.transaction, "base64"))
      tx.instructions[0]!.data[1] = 1 // owner share amount changed to 1 base unit
      tx.sign(payer)
      const before = await balances(payer)
      expect(await submit(h, built.body.payment_intent_id, tx.serialize().toString("base64"))).toMatchObject({ status: 400, body: { ok: false, error: "Transaction does not match the payment intent" } })
      expect(await submit(h, built.body.payment_intent_id, "not base64 at all!")).toMatchObject({ status: 400, body: { ok: false, error: expect.stringContaining("Invalid signed_transaction") } })
      expect(await balances(payer)).toEqual(before)
    })

    test("an intent is single-use", async () => {
      const payer = await fundedPayer()
      const built = await build(h, summarizer.id, payer.publicKey.toBase58(), { text: "One. Two." })
      const signed = signBase64(built.body.transaction, payer)
      expect(await submit(h, built.body.payment_intent_id, signed)).toMatchObject({ status: 200, body: { ok: true } })
      const after = await balances(payer)
      expect(await submit(h, built.body.payment_intent_id, signed)).toMatchObject({ status: 409, body: { ok: false, error: "Payment intent already used" } })
      expect(await balances(payer)).toEqual(after)
    })

    test("concurrent submits of one intent settle exactly once", async () => {
      const payer = await fundedPayer()
      const built = await build(h, summarizer.id, payer.publicKey.toBase58(), { text: "One. Two." })
      const signed = signBase64(built.body.transaction, payer)
      const before = await balances(payer)
      const results = await Promise.all(Array.from({ length: 5 }, () => submit(h, built.body.payment_intent_id, signed)))
      expect(results.filter((r) => r.body.ok).length).toBe(1)
      expect((await balances(payer)).payer).toBe(before.payer - summarizer.priceBase)
    })

    test("an expired intent is refused (clock advanced, no sleep)", async () => {
      const payer = await fundedPayer()
      const built = await build(h, summarizer.id, payer.publicKey.toBase58(), { text: "One. Two." })
      const before = await balances(payer)
      time.advance(120_001)
      expect(await submit(h, built.body.payment_intent_id, signBase64(built.body.transaction, payer))).toMatchObject({ status: 410, body: { ok: false, error: "Payment intent expired" } })
      expect(await balances(payer)).toEqual(before)
    })

    test("a payer without funds gets the chain's simulation error and nothing moves", async () => {
      const poor = await fundedPayer({ usdc: 5_000, sol: 10_000_000 })
      const built = await build(h, summarizer.id, poor.publicKey.toBase58(), { text: "One. Two." })
      const before = await balances(poor)
      const r = await submit(h, built.body.payment_intent_id, signBase64(built.body.transaction, poor))
      expect(r).toMatchObject({ status: 400, body: { ok: false, error: "Simulation failed: Attempt to debit an account but found no record of a prior credit." } })
      expect(await balances(poor)).toEqual(before)
      // no SOL for the network fee is also a failed debit
      const noSol = await fundedPayer({ usdc: 1_000_000, sol: 0 })
      const b2 = await build(h, summarizer.id, noSol.publicKey.toBase58(), { text: "One. Two." })
      expect(await submit(h, b2.body.payment_intent_id, signBase64(b2.body.transaction, noSol))).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^Simulation\ failed:\ Attempt\ to\ debit\ an\ account/) } })
      expect(await usdc(h, noSol.publicKey)).toBe(1_000_000)
    })

    test("input failing the agent's schema is refused before any intent exists", async () => {
      const payer = await fundedPayer()
      const r = await build(h, warmMemory.id, payer.publicKey.toBase58(), { action: "explode", key: "x" })
      expect(r).toMatchObject({ status: 400, body: { ok: false, error: expect.stringMatching(/^Input\ validation\ failed:\ /) } })
      expect(r.body.payment_intent_id).toBeUndefined()
      const extra = await build(h, titleGenerator.id, payer.publicKey.toBase58(), { text: "x", surprise: true })
      expect(extra).toMatchObject({ status: 400, body: { ok: false, error: expect.stringMatching(/^Input\ validation\ failed:\ /) } })
      expect(await usdc(h, payer.publicKey)).toBe(1_000_000)
    })

    test("unknown agent: 404 Agent not found; private agent: 403 PRIVATE_AGENT_UNAUTHORIZED", async () => {
      const unknown = "00000000-0000-4000-8000-000000000000"
      expect(await readJson(await h.request(`/sandbox/tetto/api/agents/${unknown}`))).toMatchObject({ status: 404, body: { ok: false, error: "Agent not found" } })
      expect(await build(h, unknown, Keypair.generate().publicKey.toBase58(), {})).toMatchObject({ status: 404, body: { ok: false, error: "Agent not found" } })
      expect(await build(h, privateResearch.id, Keypair.generate().publicKey.toBase58(), { topic: "x" })).toMatchObject({ status: 403, body: { ok: false, error: "PRIVATE_AGENT_UNAUTHORIZED" } })
    })

    test("an agent failure refunds the payment (all but the network fee)", async () => {
      const payer = await fundedPayer()
      expect(await readJson(await h.request(`/sandbox/control/agents/${summarizer.id}`, { method: "PUT", json: { fail_with: "model overloaded" } }))).toMatchObject({ status: 200, body: { ok: true } })
      try {
        const before = await balances(payer)
        const built = await build(h, summarizer.id, payer.publicKey.toBase58(), { text: "One. Two." })
        const r = await submit(h, built.body.payment_intent_id, signBase64(built.body.transaction, payer))
        expect(r).toMatchObject({ status: 502, body: { ok: false, error: "model overloaded" } })
        const after = await balances(payer)
        expect(after).toEqual({ ...before, payerSol: before.payerSol - 5000 })
        expect(await submit(h, built.body.payment_intent_id, signBase64(built.body.transaction, payer))).toMatchObject({ status: 409 })
      } finally {
        await h.request(`/sandbox/control/agents/${summarizer.id}`, { method: "PUT", json: {} })
      }
    })

    test("a slowed agent makes the call outlast a client timeout, and still settles with a receipt", async () => {
      const payer = await fundedPayer()
      await h.request(`/sandbox/control/agents/${summarizer.id}`, { method: "PUT", json: { delay_ms: 300 } })
      try {
        const built = await build(h, summarizer.id, payer.publicKey.toBase58(), { text: "One. Two." })
        const started = performance.now()
        const r = await submit(h, built.body.payment_intent_id, signBase64(built.body.transaction, payer))
        expect(performance.now() - started).toBeGreaterThanOrEqual(290)
        expect(r).toMatchObject({ status: 200, body: { ok: true } })
      } finally {
        await h.request(`/sandbox/control/agents/${summarizer.id}`, { method: "PUT", json: {} })
      }
    })

    test("bad request bodies get the envelope with 4xx; unknown sandbox paths the global 404", async () => {
      expect(await readJson(await h.request("/sandbox/tetto/api/agents/call", { method: "POST", json: { payment_intent_id: 5 } }))).toMatchObject({ status: 400, body: { ok: false, error: expect.stringContaining("Invalid request") } })
      expect(await readJson(await h.request("/sandbox/tetto/api/agents/call", { method: "POST", body: "{oops", headers: { "content-type": "application/json" } }))).toMatchObject({ status: 400, body: { ok: false } })
      expect(await readJson(await h.request("/sandbox/nothing-here"))).toMatchObject({ status: 404, body: { code: "route_not_found" } })
      expect(await readJson(await h.request("/sandbox/tetto/api/agents/call", { method: "POST", json: { payment_intent_id: "00000000-0000-4000-8000-000000000000", signed_transaction: "AA==" } }))).toMatchObject({ status: 404, body: { ok: false, error: "Payment intent not found" } })
    })
  })
}

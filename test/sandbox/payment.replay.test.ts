// The sandbox refuses a signature it already processed, as a chain does. Two
// intents for the same payer and agent built in the same slot carry the same
// message, so the payer's signature is the same: it may pay once only.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Keypair, Transaction } from "@solana/web3.js"
import bs58 from "bs58"
import { Effect, Exit } from "effect"
import { summarizer, titleGenerator } from "../../src/modules/sandbox/agents/text"
import { openSandboxStore } from "../../src/modules/sandbox/db"
import { sandboxOwnerWallet, sandboxProtocolFeeWallet } from "../../src/modules/sandbox/identities"
import { blockhashOf, slotAt, SLOT_MS } from "../../src/modules/sandbox/ledger"
import { dialects, freshDatabase } from "../support/db"
import { makeTestApp, readJson, testConfig, type TestApp } from "../support/app"
import { build, fund, lamports, rpc, signBase64, submit, usdc } from "./helpers"
import { freshSandbox } from "./instance"

const ALREADY_PROCESSED = "already been processed"

/** The payer's signature of a signed wire transaction, base58 (the transaction's id). */
const signatureOf = (signedBase64: string) => bs58.encode(Transaction.from(Buffer.from(signedBase64, "base64")).signature!)

for (const dialect of dialects) {
  describe(`sandbox payments (a signature is processed once, ${dialect})`, () => {
    let h: TestApp
    beforeAll(async () => {
      h = await makeTestApp(dialect)
    })
    afterAll(() => h.close())

    const fundedPayer = async () => {
      const payer = Keypair.generate()
      expect(await fund(h, payer.publicKey.toBase58(), { usdc: 1_000_000, sol: 10_000_000 })).toMatchObject({ status: 200 })
      return payer
    }

    const balances = async (payer: Keypair, agentSlug: string) => ({
      payer: await usdc(h, payer.publicKey),
      payerSol: await lamports(h, payer.publicKey.toBase58()),
      owner: await usdc(h, sandboxOwnerWallet(agentSlug)),
      fee: await usdc(h, sandboxProtocolFeeWallet),
    })

    test("two intents built in one slot sign to the same bytes; the second submit is refused and nothing moves twice", async () => {
      const payer = await fundedPayer()
      // Nothing settles between the two builds: same slot, same blockhash.
      const first = await build(h, titleGenerator.id, payer.publicKey.toBase58(), { text: "Payments that happen once" })
      const second = await build(h, titleGenerator.id, payer.publicKey.toBase58(), { text: "A different input, the same payment" })
      expect(first).toMatchObject({ status: 200, body: { ok: true } })
      expect(second).toMatchObject({ status: 200, body: { ok: true } })
      expect(second.body.payment_intent_id).not.toBe(first.body.payment_intent_id)
      // The marketplace's transaction carries no per-call data.
      expect(second.body.transaction).toBe(first.body.transaction)
      const signedFirst = signBase64(first.body.transaction, payer)
      const signedSecond = signBase64(second.body.transaction, payer)
      expect(signedSecond).toBe(signedFirst)
      const signature = signatureOf(signedFirst)

      const before = await balances(payer, titleGenerator.slug)
      const paid = await submit(h, first.body.payment_intent_id, signedFirst)
      expect(paid).toMatchObject({ status: 200, body: { ok: true, tx_signature: signature } })
      const afterFirst = await balances(payer, titleGenerator.slug)
      expect(afterFirst).toEqual({
        payer: before.payer - titleGenerator.priceBase,
        payerSol: before.payerSol - 5000,
        owner: before.owner + 9000,
        fee: before.fee + 1000,
      })

      const replay = await submit(h, second.body.payment_intent_id, signedSecond)
      expect(replay).toMatchObject({ status: 400, body: { ok: false, error: expect.stringContaining(ALREADY_PROCESSED) } })
      expect(replay.body.receipt_id).toBeUndefined()
      expect(replay.body.tx_signature).toBeUndefined()
      // Debited once: no USDC, no second network fee.
      expect(await balances(payer, titleGenerator.slug)).toEqual(afterFirst)

      // The second intent was not consumed: it is still open (a used one
      // answers 409 before any signature check), and refused the same way.
      const again = await submit(h, second.body.payment_intent_id, signedSecond)
      expect(again).toMatchObject({ status: 400, body: { ok: false, error: expect.stringContaining(ALREADY_PROCESSED) } })
      // The first intent, by contrast, is used.
      expect(await submit(h, first.body.payment_intent_id, signedFirst)).toMatchObject({ status: 409, body: { ok: false, error: "Payment intent already used" } })

      // One receipt, for the first intent, with the one signature.
      expect(await readJson(await h.request(`/sandbox/tetto/api/receipts/${paid.body.receipt_id}`))).toMatchObject({
        status: 200,
        body: { ok: true, receipt: { tx_signature: signature, payment_intent_id: first.body.payment_intent_id } },
      })
      // The chain knows the signature once, successful.
      const statuses = await rpc(h, "getSignatureStatuses", [[signature]])
      expect(statuses.value[0]).toMatchObject({ err: null, confirmationStatus: "finalized" })
      expect(await balances(payer, titleGenerator.slug)).toEqual(afterFirst)
    })

    test("concurrent submits of two identical-message intents: exactly one pays", async () => {
      const payer = await fundedPayer()
      const intents = await Promise.all([1, 2, 3, 4].map((i) => build(h, summarizer.id, payer.publicKey.toBase58(), { text: `Call ${i}. Two.` })))
      for (const b of intents) expect(b).toMatchObject({ status: 200, body: { ok: true } })
      expect(new Set(intents.map((b) => b.body.transaction)).size).toBe(1)
      const before = await balances(payer, summarizer.slug)
      const results = await Promise.all(intents.map((b) => submit(h, b.body.payment_intent_id, signBase64(b.body.transaction, payer))))
      expect(results.filter((r) => r.status === 200).length).toBe(1)
      for (const r of results.filter((r) => r.status !== 200)) expect(r).toMatchObject({ status: 400, body: { error: expect.stringContaining(ALREADY_PROCESSED) } })
      const after = await balances(payer, summarizer.slug)
      expect(after.payer).toBe(before.payer - summarizer.priceBase)
      expect(after.payerSol).toBe(before.payerSol - 5000)
      expect(after.owner - before.owner + (after.fee - before.fee)).toBe(summarizer.priceBase)
    })

    test("after the slot moves on, the same payer and agent sign a new message and pay again", async () => {
      const payer = await fundedPayer()
      const first = await build(h, titleGenerator.id, payer.publicKey.toBase58(), { text: "One" })
      expect(await submit(h, first.body.payment_intent_id, signBase64(first.body.transaction, payer))).toMatchObject({ status: 200 })
      const next = await build(h, titleGenerator.id, payer.publicKey.toBase58(), { text: "One" })
      expect(next.body.transaction).not.toBe(first.body.transaction)
      const before = await usdc(h, payer.publicKey)
      expect(await submit(h, next.body.payment_intent_id, signBase64(next.body.transaction, payer))).toMatchObject({ status: 200, body: { ok: true } })
      expect(await usdc(h, payer.publicKey)).toBe(before - titleGenerator.priceBase)
    })
  })
}

for (const dialect of dialects) {
  describe(`sandbox ledger rows after a replay (${dialect})`, () => {
    test("the refused intent stays open with no signature, and only the first has a receipt", async () => {
      const s = await freshSandbox(dialect)
      try {
        const payer = Keypair.generate()
        await s.run((x) => x.faucet({ wallet: payer.publicKey.toBase58(), usdc: 1_000_000, sol: 10_000_000 }))
        const build = (text: string) => s.run((x) => x.buildTransaction(titleGenerator.id, { payer_wallet: payer.publicKey.toBase58(), input: { text } }))
        const a = await build("first")
        const b = await build("second")
        const signedA = signBase64(a.transaction, payer)
        const signedB = signBase64(b.transaction, payer)
        expect(signedB).toBe(signedA)

        const paid = await s.run((x) => x.call({ payment_intent_id: a.payment_intent_id, signed_transaction: signedA }))
        const refused = await s.exit((x) => x.call({ payment_intent_id: b.payment_intent_id, signed_transaction: signedB }))
        expect(Exit.isFailure(refused)).toBe(true)
        expect(JSON.stringify(refused)).toContain(ALREADY_PROCESSED)

        const intents = await s.rows<{ id: string; status: string; tx_signature: string | null }>("select id, status, tx_signature from sandbox.intents order by created_at, id")
        expect(Object.fromEntries(intents.map((i) => [i.id, { status: i.status, tx_signature: i.tx_signature }]))).toEqual({
          [a.payment_intent_id]: { status: "completed", tx_signature: paid.tx_signature },
          [b.payment_intent_id]: { status: "open", tx_signature: null },
        })
        const receipts = await s.rows<{ intent_id: string; tx_signature: string }>("select intent_id, tx_signature from sandbox.receipts")
        expect(receipts).toEqual([{ intent_id: a.payment_intent_id, tx_signature: paid.tx_signature }])
        const counted = await s.rows<{ n: unknown }>(`select count(*) as n from sandbox.signatures where signature = '${paid.tx_signature}'`)
        expect(Number(counted[0]?.n)).toBe(1)
      } finally {
        await s.close()
      }
    })
  })

  describe(`sandbox slots (the blockhash moves on with time, as a chain's does; ${dialect})`, () => {
    test("with no transaction landing, builds in one slot share a blockhash and a build 400 ms later gets a new one", async () => {
      const db = await freshDatabase(dialect)
      try {
        const t0 = 1_800_000_000_000
        const slots = await Effect.runPromise(
          Effect.scoped(
            Effect.gen(function* () {
              const store = yield* openSandboxStore(testConfig(), db.handle)
              return [yield* slotAt(store, t0), yield* slotAt(store, t0 + SLOT_MS - 1), yield* slotAt(store, t0 + SLOT_MS)]
            }),
          ),
        )
        const [first, sameSlot, later] = slots
        expect(sameSlot).toBe(first!)
        expect(later).toBe(first! + 1)
        expect(blockhashOf(later!)).not.toBe(blockhashOf(first!))
      } finally {
        await db.close()
      }
    })
  })
}

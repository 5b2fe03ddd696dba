// Gateway instances that share one Postgres database share one sandbox: what
// is funded, built, paid or stored through one is there through the other,
// and a signed payment pays once whichever instances it is sent to. Two
// runtimes over two connection pools, as two processes would have.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Keypair } from "@solana/web3.js"
import { Exit } from "effect"
import { summarizer, titleGenerator } from "../../src/modules/sandbox/agents/text"
import { warmMemory } from "../../src/modules/sandbox/agents/warm-memory"
import { sandboxUsdcAta } from "../../src/modules/sandbox/identities"
import type { SandboxShape } from "../../src/modules/sandbox/service"
import { closeDatabase, openDatabase, type DatabaseHandle } from "../../src/platform/db/database"
import { dialects, freshDatabase } from "../support/db"
import { signBase64 } from "./helpers"
import { instanceConfig, openInstance, type SandboxInstance } from "./instance"

const ALREADY_PROCESSED = "already been processed"

describe.skipIf(!dialects.includes("postgres"))("two gateway instances over one Postgres database (one sandbox)", () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>
  let second: DatabaseHandle
  let a: SandboxInstance
  let b: SandboxInstance
  beforeAll(async () => {
    db = await freshDatabase("postgres")
    second = openDatabase({ dialect: "postgres", url: db.url })
    // Each instance has its own DATA_DIR, as on two machines.
    a = openInstance(db.handle, instanceConfig("postgres", db.url))
    b = openInstance(second, instanceConfig("postgres", db.url))
    // Both start at once: schema creation and seeding must not collide.
    await Promise.all([a.run((s) => s.listAgents(1, 0)), b.run((s) => s.listAgents(1, 0))])
  })
  afterAll(async () => {
    await a?.dispose()
    await b?.dispose()
    await closeDatabase(second)
    await db.close()
  })

  const rpc = async (via: SandboxInstance, method: string, params: Array<unknown>) => {
    const reply = (await via.run((s) => s.rpc({ jsonrpc: "2.0", id: 1, method, params }))) as { result?: { value: any }; error?: unknown }
    if (reply.error) throw new Error(`${method}: ${JSON.stringify(reply.error)}`)
    return reply.result!.value
  }
  const usdcOf = async (via: SandboxInstance, owner: Keypair) => Number((await rpc(via, "getTokenAccountBalance", [sandboxUsdcAta(owner.publicKey).toBase58()])).amount)
  const lamportsOf = async (via: SandboxInstance, owner: Keypair) => (await rpc(via, "getBalance", [owner.publicKey.toBase58()])) as number

  const funded = async (via: SandboxInstance) => {
    const payer = Keypair.generate()
    await via.run((s) => s.faucet({ wallet: payer.publicKey.toBase58(), usdc: 1_000_000, sol: 10_000_000 }))
    return payer
  }
  const buildVia = (via: SandboxInstance, agentId: string, payer: Keypair, input: Record<string, unknown>) =>
    via.run((s) => s.buildTransaction(agentId, { payer_wallet: payer.publicKey.toBase58(), input }))
  const paidCall = async (via: SandboxInstance, agentId: string, payer: Keypair, input: Record<string, unknown>) => {
    const built = await buildVia(via, agentId, payer, input)
    return (await via.run((s) => s.call({ payment_intent_id: built.payment_intent_id, signed_transaction: signBase64(built.transaction, payer) }))).output
  }
  const refusal = (exit: Exit.Exit<unknown, unknown>) => (Exit.isFailure(exit) ? JSON.stringify(exit.cause) : "succeeded")

  test("the fixed wallets were seeded once, though both instances started together", async () => {
    const { sandboxProtocolFeeWallet } = await import("../../src/modules/sandbox/identities")
    expect(await rpc(b, "getBalance", [sandboxProtocolFeeWallet.toBase58()])).toBe(1_000_000_000)
  })

  test("a faucet credit through A is a balance through B", async () => {
    const payer = await funded(a)
    expect(await usdcOf(b, payer)).toBe(1_000_000)
    expect(await lamportsOf(b, payer)).toBe(10_000_000)
  })

  test("an intent built through A is paid through B, and its receipt read through A", async () => {
    const payer = await funded(a)
    const built = await buildVia(a, titleGenerator.id, payer, { text: "Built on one, paid on the other" })
    const paid = await b.run((s) => s.call({ payment_intent_id: built.payment_intent_id, signed_transaction: signBase64(built.transaction, payer) }))
    const receiptId = paid.receipt_id
    expect(paid).toMatchObject({ ok: true })
    expect(await usdcOf(a, payer)).toBe(1_000_000 - titleGenerator.priceBase)
    expect(await a.run((s) => s.receipt(receiptId))).toMatchObject({ ok: true, receipt: { payment_intent_id: built.payment_intent_id } })
  })

  test("one signed transaction sent through A and through B at once pays exactly once", async () => {
    const payer = await funded(a)
    const built = await buildVia(a, summarizer.id, payer, { text: "Sent twice. Paid once." })
    const signed = signBase64(built.transaction, payer)
    const outcomes = await Promise.all([a, b].map((via) => via.exit((s) => s.call({ payment_intent_id: built.payment_intent_id, signed_transaction: signed }))))
    expect(outcomes.filter(Exit.isSuccess).length).toBe(1)
    // The loser meets either the used intent or the processed signature, by timing.
    expect(refusal(outcomes.find(Exit.isFailure)!)).toMatch(/already been processed|Payment intent already used/)
    expect(await usdcOf(b, payer)).toBe(1_000_000 - summarizer.priceBase)
    expect(await lamportsOf(b, payer)).toBe(10_000_000 - 5000)
  })

  test("two intents signing to the same bytes, sent through A and B at once: one pays, the other is refused as processed and stays open", async () => {
    const payer = await funded(a)
    const first = await buildVia(a, summarizer.id, payer, { text: "One. Two." })
    const twin = await buildVia(b, summarizer.id, payer, { text: "Three. Four." })
    expect(twin.transaction).toBe(first.transaction)
    const signed = signBase64(first.transaction, payer)
    const outcomes = await Promise.all([
      a.exit((s) => s.call({ payment_intent_id: first.payment_intent_id, signed_transaction: signed })),
      b.exit((s) => s.call({ payment_intent_id: twin.payment_intent_id, signed_transaction: signed })),
    ])
    expect(outcomes.filter(Exit.isSuccess).length).toBe(1)
    expect(refusal(outcomes.find(Exit.isFailure)!)).toContain(ALREADY_PROCESSED)
    expect(await usdcOf(a, payer)).toBe(1_000_000 - summarizer.priceBase)
    expect(await lamportsOf(a, payer)).toBe(10_000_000 - 5000)
  })

  test("warm-memory data stored through A is read through B by the same caller wallet, and not by another", async () => {
    const owner = await funded(a)
    const stranger = await funded(b)
    await paidCall(a, warmMemory.id, owner, { action: "store", key: "k", value: "kept", wallet: "tdk_key_shared" })
    expect(await paidCall(b, warmMemory.id, owner, { action: "retrieve", key: "k", wallet: "tdk_key_shared" })).toMatchObject({ exists: true, value: "kept" })
    expect(await paidCall(b, warmMemory.id, stranger, { action: "retrieve", key: "k", wallet: "tdk_key_shared" })).toMatchObject({ exists: false })
    expect(await paidCall(b, warmMemory.id, stranger, { action: "retrieve", key: "k", wallet: owner.publicKey.toBase58() })).toMatchObject({ exists: false })
  })

  test("many payments from one payer through both instances at once: every debit lands once and none overdraws", async () => {
    // Enough for three calls of the summarizer, not four.
    const payer = Keypair.generate()
    await a.run((s) => s.faucet({ wallet: payer.publicKey.toBase58(), usdc: summarizer.priceBase * 3, sol: 10_000_000 }))
    const texts = ["A one. Two.", "B one. Two.", "C one. Two.", "D one. Two.", "E one. Two.", "F one. Two."]
    // Each intent is built and signed in its own slot (a settled faucet moves it), so each has its own signature.
    const intents: Array<{ via: SandboxInstance; id: string; signed: string }> = []
    for (const [i, text] of texts.entries()) {
      const via = i % 2 === 0 ? a : b
      const built = await buildVia(via, summarizer.id, payer, { text })
      intents.push({ via: i % 2 === 0 ? b : a, id: built.payment_intent_id, signed: signBase64(built.transaction, payer) })
      await via.run((s) => s.rpc({ jsonrpc: "2.0", id: 1, method: "requestAirdrop", params: [Keypair.generate().publicKey.toBase58(), 1] }))
    }
    expect(new Set(intents.map((i) => i.signed)).size).toBe(texts.length)
    const outcomes = await Promise.all(intents.map((i) => i.via.exit((s: SandboxShape) => s.call({ payment_intent_id: i.id, signed_transaction: i.signed }))))
    expect(outcomes.filter(Exit.isSuccess).length).toBe(3)
    for (const o of outcomes.filter(Exit.isFailure)) expect(refusal(o)).toContain("Attempt to debit an account")
    expect(await usdcOf(b, payer)).toBe(0)
    expect(await lamportsOf(b, payer)).toBe(10_000_000 - 3 * 5000)
  })
})

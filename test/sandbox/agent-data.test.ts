// The sandbox's storage agents key data by the paying wallet and the target
// wallet. Data a sandbox stored before that, under the target wallet alone,
// moves once under the one wallet that stored into it, so a gateway key (its
// pool wallet, its namespace) keeps its sandbox data across the upgrade; a
// namespace two wallets stored into stays out of everyone's reach.
import { afterAll, describe, expect, test } from "bun:test"
import { Keypair } from "@solana/web3.js"
import { Effect } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { warmAnswers } from "../../src/modules/sandbox/agents/warm-answers"
import { warmMemory } from "../../src/modules/sandbox/agents/warm-memory"
import { openSandboxDb } from "../../src/modules/sandbox/db"
import { makeSandbox } from "../../src/modules/sandbox/service"
import { signBase64 } from "./helpers"

const dir = mkdtempSync(join(tmpdir(), "tdk-sandbox-data-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const open = (path: string) => {
  const db = openSandboxDb(path)
  const sandbox = makeSandbox(db, { intentTtlMs: 120_000, rpcUrl: "http://127.0.0.1/sandbox/solana" })
  const call = async (agentId: string, payer: Keypair, input: Record<string, unknown>) => {
    const built = await Effect.runPromise(sandbox.buildTransaction(agentId, { payer_wallet: payer.publicKey.toBase58(), input }))
    const r = await Effect.runPromise(sandbox.call({ payment_intent_id: built.payment_intent_id, signed_transaction: signBase64(built.transaction, payer) }))
    return r.output as Record<string, unknown>
  }
  const fund = (payer: Keypair) => Effect.runPromise(sandbox.faucet({ wallet: payer.publicKey.toBase58(), usdc: 1_000_000, sol: 10_000_000 }))
  return { db, call, fund }
}

describe("sandbox storage data", () => {
  test("is keyed by the paying wallet and the target wallet", async () => {
    const s = open(":memory:")
    try {
      const [a, b] = [Keypair.generate(), Keypair.generate()]
      for (const k of [a, b]) await s.fund(k)
      await s.call(warmMemory.id, a, { action: "store", key: "k", value: "a's", wallet: "ns_shared_name" })
      expect(await s.call(warmMemory.id, b, { action: "retrieve", key: "k", wallet: "ns_shared_name" })).toMatchObject({ exists: false })
      expect(await s.call(warmMemory.id, b, { action: "retrieve", key: "k", wallet: a.publicKey.toBase58() })).toMatchObject({ exists: false })
      expect(await s.call(warmMemory.id, a, { action: "retrieve", key: "k" })).toMatchObject({ exists: false })
      expect(await s.call(warmMemory.id, a, { action: "retrieve", key: "k", wallet: "ns_shared_name" })).toMatchObject({ exists: true, value: "a's" })
      const rows = s.db.query<{ namespace: string }, []>("select namespace from agent_data").all()
      expect(rows).toEqual([{ namespace: `${a.publicKey.toBase58()}:ns_shared_name` }])
    } finally {
      s.db.close()
    }
  })

  test("stored before it was keyed by the paying wallet moves under the one wallet that stored into the namespace", async () => {
    const path = join(dir, "sandbox.db")
    const pool = Keypair.generate()
    const other = Keypair.generate()
    const before = open(path)
    for (const k of [pool, other]) await before.fund(k)
    // What the gateway sent for a key, from its pool wallet.
    await before.call(warmMemory.id, pool, { action: "store", key: "k", value: "the key's", wallet: "tdk_key_A" })
    await before.call(warmAnswers.id, pool, { action: "teach", question: "What is the launch code?", answer: "0000", wallet: "tdk_key_A" })
    // Another wallet only read it: reading proves no ownership.
    await before.call(warmMemory.id, other, { action: "retrieve", key: "k", wallet: "tdk_key_A" })
    // Two wallets stored into one namespace: nobody can tell whose it is.
    await before.call(warmMemory.id, pool, { action: "store", key: "kp", value: "pool's", wallet: "tdk_key_B" })
    await before.call(warmMemory.id, other, { action: "store", key: "ko", value: "planted", wallet: "tdk_key_B" })
    // Stored without input.wallet: already where it belongs, even when another wallet named it.
    await before.call(warmMemory.id, pool, { action: "store", key: "own", value: "pool's own" })
    await before.call(warmMemory.id, other, { action: "store", key: "planted-own", value: "planted", wallet: pool.publicKey.toBase58() })
    // The layout an older sandbox left: the target wallet alone.
    before.db.exec("update agent_data set namespace = substr(namespace, instr(namespace, ':') + 1) where instr(namespace, ':') > 0")
    before.db.exec("delete from meta where key = 'agent_data_by_caller'")
    expect(before.db.query<{ namespace: string }, []>("select distinct namespace from agent_data order by namespace").all().map((r) => r.namespace)).toEqual(
      [pool.publicKey.toBase58(), "tdk_key_A", "tdk_key_B"].sort(),
    )
    before.db.close()

    const after = open(path)
    try {
      expect(await after.call(warmMemory.id, pool, { action: "retrieve", key: "k", wallet: "tdk_key_A" })).toMatchObject({ exists: true, value: "the key's" })
      expect(await after.call(warmAnswers.id, pool, { action: "ask", question: "What is the launch code?", wallet: "tdk_key_A" })).toMatchObject({ answer: "0000" })
      expect(await after.call(warmMemory.id, other, { action: "retrieve", key: "k", wallet: "tdk_key_A" })).toMatchObject({ exists: false })
      expect(await after.call(warmMemory.id, pool, { action: "retrieve", key: "kp", wallet: "tdk_key_B" })).toMatchObject({ exists: false })
      expect(await after.call(warmMemory.id, other, { action: "retrieve", key: "ko", wallet: "tdk_key_B" })).toMatchObject({ exists: false })
      expect(await after.call(warmMemory.id, pool, { action: "retrieve", key: "own" })).toMatchObject({ exists: true, value: "pool's own" })
      expect(await after.call(warmMemory.id, other, { action: "retrieve", key: "own", wallet: pool.publicKey.toBase58() })).toMatchObject({ exists: false })
      await after.call(warmMemory.id, other, { action: "store", key: "new", value: "other's", wallet: "tdk_key_C" })
    } finally {
      after.db.close()
    }
    // Moved once: the next open leaves the data where it is.
    const again = open(path)
    try {
      expect(await again.call(warmMemory.id, other, { action: "retrieve", key: "new", wallet: "tdk_key_C" })).toMatchObject({ exists: true, value: "other's" })
      expect(await again.call(warmMemory.id, pool, { action: "retrieve", key: "k", wallet: "tdk_key_A" })).toMatchObject({ exists: true, value: "the key's" })
    } finally {
      again.db.close()
    }
  })
})

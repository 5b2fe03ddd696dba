// The sandbox's storage agents key data by the paying wallet and the target
// wallet. Data a sandbox stored before that, under the target wallet alone,
// moves once under the one wallet that stored into it, so a gateway key (its
// pool wallet, its namespace) keeps its sandbox data across the upgrade; a
// namespace two wallets stored into stays out of everyone's reach.
import { afterAll, describe, expect, test } from "bun:test"
import { Database as BunSqlite } from "bun:sqlite"
import { Keypair } from "@solana/web3.js"
import { Effect } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { warmAnswers } from "../../src/modules/sandbox/agents/warm-answers"
import { warmMemory } from "../../src/modules/sandbox/agents/warm-memory"
import type { SandboxShape } from "../../src/modules/sandbox/service"
import { testConfig } from "../support/app"
import { dialects, freshDatabase } from "../support/db"
import { signBase64 } from "./helpers"
import { freshSandbox, openInstance } from "./instance"

const dir = mkdtempSync(join(tmpdir(), "tdk-sandbox-data-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A paid call and a funding, through one sandbox. */
const caller = (run: <A, E>(f: (s: SandboxShape) => Effect.Effect<A, E>) => Promise<A>) => ({
  call: async (agentId: string, payer: Keypair, input: Record<string, unknown>) => {
    const built = await run((s) => s.buildTransaction(agentId, { payer_wallet: payer.publicKey.toBase58(), input }))
    const r = await run((s) => s.call({ payment_intent_id: built.payment_intent_id, signed_transaction: signBase64(built.transaction, payer) }))
    return r.output as Record<string, unknown>
  },
  fund: (payer: Keypair) => run((s) => s.faucet({ wallet: payer.publicKey.toBase58(), usdc: 1_000_000, sol: 10_000_000 })),
})

for (const dialect of dialects) {
  describe(`sandbox storage data (${dialect})`, () => {
    test("is keyed by the paying wallet and the target wallet", async () => {
      const s = await freshSandbox(dialect)
      try {
        const { call, fund } = caller(s.run)
        const [a, b] = [Keypair.generate(), Keypair.generate()]
        for (const k of [a, b]) await fund(k)
        await call(warmMemory.id, a, { action: "store", key: "k", value: "a's", wallet: "ns_shared_name" })
        expect(await call(warmMemory.id, b, { action: "retrieve", key: "k", wallet: "ns_shared_name" })).toMatchObject({ exists: false })
        expect(await call(warmMemory.id, b, { action: "retrieve", key: "k", wallet: a.publicKey.toBase58() })).toMatchObject({ exists: false })
        expect(await call(warmMemory.id, a, { action: "retrieve", key: "k" })).toMatchObject({ exists: false })
        expect(await call(warmMemory.id, a, { action: "retrieve", key: "k", wallet: "ns_shared_name" })).toMatchObject({ exists: true, value: "a's" })
        expect(await s.rows<{ namespace: string }>("select namespace from sandbox.agent_data")).toEqual([{ namespace: `${a.publicKey.toBase58()}:ns_shared_name` }])
      } finally {
        await s.close()
      }
    })

    test("lists a namespace's keys in byte order, page by page", async () => {
      const s = await freshSandbox(dialect)
      try {
        const { call, fund } = caller(s.run)
        const payer = Keypair.generate()
        await fund(payer)
        // Byte order puts upper case before lower case and "_" between them, whatever the database's collation.
        for (const key of ["b", "B", "a_1", "a-2", "aZ", "c"]) await call(warmMemory.id, payer, { action: "store", key, value: key })
        const first = await call(warmMemory.id, payer, { action: "list", prefix: "a", limit: 2 })
        expect(first).toMatchObject({ count: 6, next_cursor: "aZ" })
        expect((first.items as Array<{ key: string }>).map((i) => i.key)).toEqual(["a-2", "aZ"])
        const second = await call(warmMemory.id, payer, { action: "list", prefix: "a", limit: 2, cursor: first.next_cursor as string })
        expect(second).toMatchObject({ next_cursor: null })
        expect((second.items as Array<{ key: string }>).map((i) => i.key)).toEqual(["a_1"])
        const all = await call(warmMemory.id, payer, { action: "list" })
        expect((all.items as Array<{ key: string }>).map((i) => i.key)).toEqual(["B", "a-2", "aZ", "a_1", "b", "c"])
      } finally {
        await s.close()
      }
    })
  })
}

describe("sandbox storage data (sqlite file from an older sandbox)", () => {
  // One gateway database for the three opens: only the sandbox file carries over.
  const config = testConfig({ DATA_DIR: dir, DATABASE_URL: `sqlite:${join(dir, "tdk.db")}` })
  const path = join(dir, "sandbox.db")
  const open = async () => {
    const db = await freshDatabase("sqlite")
    const instance = openInstance(db.handle, config)
    return {
      ...caller(instance.run),
      close: async () => {
        await instance.dispose()
        await db.close()
      },
    }
  }
  const onFile = (f: (file: BunSqlite) => void) => {
    const file = new BunSqlite(path)
    try {
      f(file)
    } finally {
      file.close()
    }
  }

  test("stored before it was keyed by the paying wallet moves under the one wallet that stored into the namespace", async () => {
    const pool = Keypair.generate()
    const other = Keypair.generate()
    const before = await open()
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
    await before.close()
    // The layout an older sandbox left: the target wallet alone.
    onFile((file) => {
      file.exec("update agent_data set namespace = substr(namespace, instr(namespace, ':') + 1) where instr(namespace, ':') > 0")
      file.exec("delete from meta where key = 'agent_data_by_caller'")
      expect(file.query<{ namespace: string }, []>("select distinct namespace from agent_data order by namespace").all().map((r) => r.namespace)).toEqual(
        [pool.publicKey.toBase58(), "tdk_key_A", "tdk_key_B"].sort(),
      )
    })

    const after = await open()
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
      await after.close()
    }
    // Moved once: the next open leaves the data where it is.
    const again = await open()
    try {
      expect(await again.call(warmMemory.id, other, { action: "retrieve", key: "new", wallet: "tdk_key_C" })).toMatchObject({ exists: true, value: "other's" })
      expect(await again.call(warmMemory.id, pool, { action: "retrieve", key: "k", wallet: "tdk_key_A" })).toMatchObject({ exists: true, value: "the key's" })
    } finally {
      await again.close()
    }
  })
})

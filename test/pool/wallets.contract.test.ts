// The wallet repository and pool operations on every dialect: sealed inserts,
// compare-and-set updates, atomic sticky assignment under concurrency, and
// resumable master-key rotation.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { makeRuntime } from "../../src/app/layers"
import { envelopeKeyId } from "../../src/modules/pool/envelope"
import { Keyring } from "../../src/modules/pool/keyring"
import { assignWallet, generateWallets, keyUsage, rotateMaster } from "../../src/modules/pool/service"
import { Signer } from "../../src/modules/pool/signer"
import { Database } from "../../src/platform/db/database"
import { Store } from "../../src/store/store"
import type { SealedSecret } from "../../src/modules/pool/envelope"
import { makeTestApp, testConfig, type TestApp } from "../support/app"
import { dialects } from "../support/db"
import { realKeyCounts, seedKeys } from "./seed"

const OLD = `old:${"0a".repeat(32)}`
const NEW = `new:${"0b".repeat(32)}`

for (const dialect of dialects) {
  describe(`wallet pool store (${dialect})`, () => {
    let h: TestApp
    beforeAll(async () => {
      h = await makeTestApp(dialect)
    })
    afterAll(() => h.close())

    test("generated wallets are stored sealed under the primary key and open to their own public key", async () => {
      const ids = await h.runtime.runPromise(generateWallets(3))
      const rows = await h.runtime.runPromise(Effect.flatMap(Store, (s) => s.wallets.list()))
      const mine = rows.filter((r) => ids.includes(r.id))
      expect(mine.map((r) => ({ kid: envelopeKeyId(r.encryptedSecret), status: r.status, count: r.assignedKeyCount }))).toEqual(Array(3).fill({ kid: "test1", status: "active", count: 0 }))
      const signed = await h.runtime.runPromise(Effect.flatMap(Signer, (s) => s.sign(ids[0]!, new Uint8Array([1, 2, 3]))))
      expect(signed.publicKey).toBe(mine.find((r) => r.id === ids[0])!.publicKey)
      const found = await h.runtime.runPromise(Effect.flatMap(Store, (s) => s.wallets.findById(ids[1]!)))
      expect(found?.publicKey).toBe(mine.find((r) => r.id === ids[1])!.publicKey)
    })

    test("updateSecret is a compare-and-set on the old envelope", async () => {
      const [id] = await h.runtime.runPromise(generateWallets(1))
      const row = (await h.runtime.runPromise(Effect.flatMap(Store, (s) => s.wallets.findById(id!))))!
      const next = await h.runtime.runPromise(Effect.map(Keyring, (k) => k.seal(row.id, row.publicKey, new Uint8Array(64))))
      expect(await h.runtime.runPromise(Effect.flatMap(Store, (s) => s.wallets.updateSecret(row.id, "stale" as SealedSecret, next, 5)))).toBe(false)
      expect(await h.runtime.runPromise(Effect.flatMap(Store, (s) => s.wallets.updateSecret(row.id, row.encryptedSecret, next, 5)))).toBe(true)
      expect((await h.runtime.runPromise(Effect.flatMap(Store, (s) => s.wallets.findById(id!))))?.rotatedAt).toBe(5)
    })
  })

  describe(`wallet assignment (${dialect})`, () => {
    let h: TestApp
    beforeAll(async () => {
      h = await makeTestApp(dialect)
    })
    afterAll(() => h.close())

    test("no wallet → NoFundedWallet; unknown key → KeyNotFound", async () => {
      const [key] = await seedKeys(h.runtime, 1)
      expect(await h.runtime.runPromise(Effect.flip(assignWallet(key!)))).toMatchObject({ _tag: "NoFundedWallet" })
      expect(await h.runtime.runPromise(Effect.flip(assignWallet("key_missing")))).toMatchObject({ _tag: "KeyNotFound" })
    })

    test("1,000 concurrent assignments over 10 wallets: every key gets one, counts within one, counts match reality, sticky", async () => {
      await h.runtime.runPromise(generateWallets(10))
      const keys = await seedKeys(h.runtime, 1000)
      const first = await Promise.all(keys.map((k) => h.runtime.runPromise(assignWallet(k))))
      // Assigning again (also concurrently) returns the same wallet and counts nothing.
      const again = await Promise.all(keys.map((k) => h.runtime.runPromise(assignWallet(k))))
      expect(again.map((w) => w.id)).toEqual(first.map((w) => w.id))
      const wallets = await h.runtime.runPromise(Effect.flatMap(Store, (s) => s.wallets.list()))
      const counts = wallets.map((w) => w.assignedKeyCount)
      const real = await realKeyCounts(h.runtime)
      expect({ total: counts.reduce((a, b) => a + b, 0), spread: Math.max(...counts) - Math.min(...counts) }).toEqual({ total: 1000, spread: 0 })
      expect(Object.fromEntries(wallets.map((w) => [w.id, w.assignedKeyCount]))).toEqual(Object.fromEntries(wallets.map((w) => [w.id, real.get(w.id) ?? 0])))
      expect([...real.values()].reduce((a, b) => a + b, 0)).toBe(1000)
    }, 60_000)

    test("retired wallets take no new keys; ties go to the lowest id; then the fewest keys win", async () => {
      const handle = await h.runtime.runPromise(Effect.gen(function* () {
        return yield* Database
      }))
      const exec = (sql: string) => (handle.kind === "sqlite" ? handle.client.exec(sql) : handle.client.unsafe(sql))
      const wallets = [...(await h.runtime.runPromise(Effect.flatMap(Store, (s) => s.wallets.list())))].sort((a, b) => (a.id < b.id ? -1 : 1))
      const [lowest, second] = wallets
      // Two equal candidates, everything else retired.
      await exec(`update wallet_pool set status = 'retired' where id not in ('${lowest!.id}', '${second!.id}')`)
      await exec(`update wallet_pool set assigned_key_count = 5 where id in ('${lowest!.id}', '${second!.id}')`)
      const [k1, k2, k3] = await seedKeys(h.runtime, 3)
      expect((await h.runtime.runPromise(assignWallet(k1!))).id).toBe(lowest!.id) // tie → lowest id
      expect((await h.runtime.runPromise(assignWallet(k2!))).id).toBe(second!.id) // 6 vs 5 → fewest
      expect((await h.runtime.runPromise(assignWallet(k3!))).id).toBe(lowest!.id) // 6 vs 6 → lowest id again
      const retired = (await h.runtime.runPromise(Effect.flatMap(Store, (s) => s.wallets.list()))).filter((w) => w.status === "retired")
      expect(retired.length).toBe(wallets.length - 2)
      expect(retired.every((w) => w.assignedKeyCount === wallets.find((x) => x.id === w.id)!.assignedKeyCount)).toBe(true)
    })
  })

  describe(`master-key rotation (${dialect})`, () => {
    test("interrupted after one batch, then rerun: every row ends under the new primary and stays readable throughout", async () => {
      const h = await makeTestApp(dialect, { WALLET_ENCRYPTION_KEYS: OLD })
      const handle = await h.runtime.runPromise(Effect.gen(function* () {
        return yield* Database
      }))
      const rotated = makeRuntime(testConfig({ WALLET_ENCRYPTION_KEYS: `${NEW},${OLD}` }), { database: handle, sink: () => {} })
      const newOnly = makeRuntime(testConfig({ WALLET_ENCRYPTION_KEYS: NEW }), { database: handle, sink: () => {} })
      try {
        const ids = await h.runtime.runPromise(generateWallets(25))
        const signAll = (rt: typeof rotated) => Promise.all(ids.map((id) => rt.runPromise(Effect.flatMap(Signer, (s) => s.sign(id, new Uint8Array([7]))))))

        const before = await signAll(h.runtime)
        const partial = await rotated.runPromise(rotateMaster({ batchSize: 10, maxBatches: 1 }))
        expect(partial).toMatchObject({ primaryId: "new", batches: 1, resealed: 10, stoppedEarly: true, byKey: { new: 10, old: 15 }, unreadable: [] })
        expect((await signAll(rotated)).length).toBe(25)

        const rest = await rotated.runPromise(rotateMaster({ batchSize: 10 }))
        expect(rest).toMatchObject({ resealed: 15, stoppedEarly: false, byKey: { new: 25 }, unreadable: [] })
        const after = await signAll(newOnly)
        expect(after.map((s) => s.publicKey)).toEqual(before.map((s) => s.publicKey))
        expect(await newOnly.runPromise(keyUsage())).toEqual({ new: 25 })

        // Already rotated: a third run changes nothing.
        expect(await rotated.runPromise(rotateMaster({ batchSize: 10 }))).toMatchObject({ resealed: 0, byKey: { new: 25 } })
      } finally {
        await rotated.dispose()
        await newOnly.dispose()
        await h.close()
      }
    })

    test("a row the keyring cannot open is reported and left untouched", async () => {
      const h = await makeTestApp(dialect, { WALLET_ENCRYPTION_KEYS: OLD })
      const handle = await h.runtime.runPromise(Effect.gen(function* () {
        return yield* Database
      }))
      const stranger = makeRuntime(testConfig({ WALLET_ENCRYPTION_KEYS: NEW }), { database: handle, sink: () => {} })
      try {
        const [id] = await h.runtime.runPromise(generateWallets(1))
        const r = await stranger.runPromise(rotateMaster())
        expect(r).toMatchObject({ resealed: 0, unreadable: [id], byKey: { old: 1 } })
        expect(await h.runtime.runPromise(Effect.flatMap(Signer, (s) => s.sign(id!, new Uint8Array([1]))))).toMatchObject({ publicKey: expect.any(String) })
      } finally {
        await stranger.dispose()
        await h.close()
      }
    })
  })
}

// The signer: signatures verify, a cached secret is zeroed when it expires or
// is pushed out, and no secret ever reaches a log line or an error.
import { ed25519 } from "@noble/curves/ed25519.js"
import { PublicKey } from "@solana/web3.js"
import bs58 from "bs58"
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect, Layer } from "effect"
import * as TestClock from "effect/testing/TestClock"
import { enforcePolicy, policyLimits } from "../../src/modules/pool/enforce-policy"
import { keyObjectOf } from "../../src/modules/pool/ed25519"
import { Keyring } from "../../src/modules/pool/keyring"
import { SecretCache } from "../../src/modules/pool/secret-cache"
import { generateWallets, rotateMaster } from "../../src/modules/pool/service"
import { checkTransaction } from "../../src/modules/pool/signing-policy"
import { Signer } from "../../src/modules/pool/signer"
import { Database } from "../../src/platform/db/database"
import { Store } from "../../src/store/store"
import { makeTestApp, type TestApp } from "../support/app"
import { fixture } from "./tx-fixtures"

let h: TestApp
let ids: Array<string>
beforeAll(async () => {
  h = await makeTestApp("sqlite")
  ids = await h.runtime.runPromise(generateWallets(4))
})
afterAll(() => h.close())

/** A signer over `cache` on the test app's store and keyring, run under a TestClock. */
const withSigner = <A, E>(cache: SecretCache, program: Effect.Effect<A, E, Signer>) =>
  h.runtime.runPromise(
    Effect.gen(function* () {
      const deps = Layer.mergeAll(Layer.succeed(Store, yield* Store), Layer.succeed(Keyring, yield* Keyring))
      return yield* program.pipe(Effect.provide(Signer.layerWith(cache).pipe(Layer.provide(deps))), Effect.provide(TestClock.layer()))
    }),
  )

const secretOf = (id: string) =>
  h.runtime.runPromise(
    Effect.gen(function* () {
      const row = (yield* (yield* Store).wallets.findById(id))!
      return yield* (yield* Keyring).open(row.id, row.publicKey, row.encryptedSecret)
    }),
  )

describe("signer", () => {
  test("a signed canonical transaction passes the policy and verifies with ed25519", async () => {
    const row = (await h.runtime.runPromise(Effect.flatMap(Store, (s) => s.wallets.findById(ids[0]!))))!
    const f = fixture(new PublicKey(row.publicKey))
    const tx = f.tx(f.canonical())
    expect(checkTransaction(f.input(f.bytes(f.canonical())))).toMatchObject({ ok: true })
    const message = tx.serializeMessage()
    const { signature, publicKey } = await h.runtime.runPromise(Effect.flatMap(Signer, (s) => s.sign(row.id, message)))
    expect(publicKey).toBe(row.publicKey)
    tx.addSignature(new PublicKey(publicKey), Buffer.from(signature))
    expect(tx.verifySignatures()).toBe(true)
    expect(ed25519.verify(signature, message, bs58.decode(publicKey))).toBe(true)
    expect(ed25519.verify(signature, new Uint8Array([...message, 0]), bs58.decode(publicKey))).toBe(false)
  })

  test("an expired secret is swept by the background fiber and its buffer zeroed", async () => {
    const cache = new SecretCache(300_000, 10)
    await withSigner(cache, Effect.gen(function* () {
      const signer = yield* Signer
      yield* signer.sign(ids[0]!, new Uint8Array([1]))
      const buf = cache.peek(ids[0]!)!.secret
      expect(buf.length).toBe(64)
      expect(buf.some((b) => b !== 0)).toBe(true)
      yield* TestClock.adjust("299 seconds")
      expect(cache.size).toBe(1)
      yield* TestClock.adjust("2 seconds")
      expect(cache.size).toBe(0)
      expect(buf.every((b) => b === 0)).toBe(true)
      // The next signature decrypts again and still verifies.
      const again = yield* signer.sign(ids[0]!, new Uint8Array([2]))
      expect(ed25519.verify(again.signature, new Uint8Array([2]), bs58.decode(again.publicKey))).toBe(true)
    }))
  })

  test("the least recently used secret is pushed out (and zeroed) past SIGNER_CACHE_MAX; shutdown wipes the rest", async () => {
    const cache = new SecretCache(300_000, 2)
    const held: Array<Uint8Array> = []
    await withSigner(cache, Effect.gen(function* () {
      const signer = yield* Signer
      yield* signer.sign(ids[0]!, new Uint8Array([1]))
      held.push(cache.peek(ids[0]!)!.secret)
      yield* signer.sign(ids[1]!, new Uint8Array([1]))
      held.push(cache.peek(ids[1]!)!.secret)
      yield* signer.sign(ids[0]!, new Uint8Array([1])) // ids[0] is now the most recent
      yield* signer.sign(ids[2]!, new Uint8Array([1]))
      held.push(cache.peek(ids[2]!)!.secret)
      expect(cache.peek(ids[1]!)).toBeUndefined()
      expect(held[1]!.every((b) => b === 0)).toBe(true)
      expect(held[0]!.some((b) => b !== 0)).toBe(true)
    }))
    // The layer was released with the program: every remaining secret is wiped.
    expect(cache.size).toBe(0)
    expect(held.every((b) => b.every((x) => x === 0))).toBe(true)
  })

  test("with caching off, nothing is kept", async () => {
    const cache = new SecretCache(0, 10)
    await withSigner(cache, Effect.flatMap(Signer, (s) => s.sign(ids[0]!, new Uint8Array([1]))))
    expect(cache.size).toBe(0)
  })

  test("a row whose secret does not derive its public key is refused", async () => {
    const row = (await h.runtime.runPromise(Effect.flatMap(Store, (s) => s.wallets.findById(ids[3]!))))!
    const other = (await h.runtime.runPromise(Effect.flatMap(Store, (s) => s.wallets.findById(ids[2]!))))!
    const otherSecret = await secretOf(other.id)
    const forged = await h.runtime.runPromise(Effect.map(Keyring, (k) => k.seal(row.id, row.publicKey, otherSecret)))
    await h.runtime.runPromise(Effect.flatMap(Store, (s) => s.wallets.updateSecret(row.id, row.encryptedSecret, forged, 1)))
    const cache = new SecretCache(300_000, 10)
    const err = await withSigner(cache, Effect.flip(Effect.flatMap(Signer, (s) => s.sign(row.id, new Uint8Array([1])))))
    expect(err).toMatchObject({ _tag: "DecryptFailed", walletId: row.id })
    expect(cache.size).toBe(0)
  })

  test("a row the caller already read is used on a cache miss, not read again (and a row for another wallet is ignored)", async () => {
    const row = (await h.runtime.runPromise(Effect.flatMap(Store, (s) => s.wallets.findById(ids[1]!))))!
    // The row leaves the store: only the row handed over can make the signer sign.
    const handle = await h.runtime.runPromise(Database)
    if (handle.kind !== "sqlite") throw new Error("sqlite test app")
    handle.client.run("delete from wallet_pool where id = ?", [row.id])
    const signed = await withSigner(new SecretCache(0, 10), Effect.flatMap(Signer, (s) => s.sign(row.id, new Uint8Array([1]), row)))
    expect(signed.publicKey).toBe(row.publicKey)
    const mismatched = await withSigner(new SecretCache(0, 10), Effect.flip(Effect.flatMap(Signer, (s) => s.sign(row.id, new Uint8Array([1]), { ...row, id: ids[0]! }))))
    expect(mismatched).toMatchObject({ _tag: "WalletNotFound" })
  })

  test("unknown wallet → WalletNotFound", async () => {
    expect(await h.runtime.runPromise(Effect.flip(Effect.flatMap(Signer, (s) => s.sign("wal_nope", new Uint8Array([1])))))).toMatchObject({ _tag: "WalletNotFound" })
  })
})

describe("no secret in logs or errors", () => {
  test("generation, signing, rotation, policy rejections and decrypt failures leave no secret bytes behind", async () => {
    const app = await makeTestApp("sqlite", { WALLET_ENCRYPTION_KEYS: `a:${"0c".repeat(32)}` })
    try {
      const wids = await app.runtime.runPromise(generateWallets(3))
      const errors: Array<unknown> = []
      for (const id of wids) await app.runtime.runPromise(Effect.flatMap(Signer, (s) => s.sign(id, new Uint8Array([9]))))
      const row = (await app.runtime.runPromise(Effect.flatMap(Store, (s) => s.wallets.findById(wids[0]!))))!
      const f = fixture(new PublicKey(row.publicKey))
      errors.push(await app.runtime.runPromise(Effect.flip(enforcePolicy({ ...f.input(f.bytes(f.canonical(), PublicKey.unique())), ...policyLimits(app.config) }, { walletId: row.id, agentId: "agt_x" }))))
      // Damage one row, then read it: the failure is logged by the caller path and returned.
      const handle = await app.runtime.runPromise(Effect.gen(function* () {
        return yield* Database
      }))
      if (handle.kind === "sqlite") handle.client.exec(`update wallet_pool set encrypted_secret = replace(encrypted_secret, '"kid":"a"', '"kid":"zz"') where id = '${wids[1]}'`)
      errors.push(await app.runtime.runPromise(Effect.flip(Effect.flatMap(Signer, (s) => s.clear().pipe(Effect.andThen(s.sign(wids[1]!, new Uint8Array([1]))))))))
      await app.runtime.runPromise(rotateMaster())
      await app.runtime.runPromise(Effect.logError("signing failed", { error: errors[1] }))

      const secrets = await Promise.all([wids[0]!, wids[2]!].map(async (id) => {
        const r = (await app.runtime.runPromise(Effect.flatMap(Store, (s) => s.wallets.findById(id))))!
        return app.runtime.runPromise(Effect.flatMap(Keyring, (k) => k.open(r.id, r.publicKey, r.encryptedSecret)))
      }))
      const haystack = [...app.logs, ...errors.map((e) => `${String(e)} ${JSON.stringify(e)}`)].join("\n")
      expect(app.logs.some((l) => l.includes("transaction_rejected") || l.includes("fee_payer_mismatch"))).toBe(true)
      for (const s of secrets) {
        expect(keyObjectOf(s)).toBeDefined()
        const forms = [Buffer.from(s).toString("hex"), Buffer.from(s.subarray(0, 32)).toString("hex"), bs58.encode(s), bs58.encode(s.subarray(0, 32)), Buffer.from(s).toString("base64"), Buffer.from(s.subarray(0, 32)).toString("base64"), JSON.stringify([...s])]
        for (const form of forms) expect(haystack.includes(form)).toBe(false)
      }
      expect(haystack.includes("0c".repeat(32))).toBe(false)
    } finally {
      await app.close()
    }
  })
})

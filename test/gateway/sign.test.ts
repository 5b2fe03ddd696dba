// The sign step builds the wire bytes itself (one message compilation): they
// must equal what web3.js produces for the same transaction and signature.
import { ed25519 } from "@noble/curves/ed25519.js"
import { Keypair, PublicKey, SystemProgram, Transaction } from "@solana/web3.js"
import bs58 from "bs58"
import { afterAll, beforeAll, expect, test } from "bun:test"
import { Effect, Exit } from "effect"
import { decodeTransaction, signTransaction } from "../../src/modules/gateway/steps/sign"
import { generateWallets } from "../../src/modules/pool/service"
import { Store } from "../../src/store/store"
import { makeTestApp, type TestApp } from "../support/app"
import { BLOCKHASH, fixture } from "../pool/tx-fixtures"

let h: TestApp
let walletId: string
let payer: PublicKey
beforeAll(async () => {
  h = await makeTestApp("sqlite")
  walletId = (await h.runtime.runPromise(generateWallets(1)))[0]!
  payer = new PublicKey((await h.runtime.runPromise(Effect.flatMap(Store, (s) => s.wallets.findById(walletId))))!.publicKey)
})
afterAll(() => h.close())

/** What web3.js itself serializes for `unsigned` with `signature` added. */
const web3Wire = (unsigned: string, signature: Uint8Array) => {
  const tx = decodeTransaction(unsigned)
  tx.addSignature(payer, Buffer.from(signature))
  return tx.serialize({ requireAllSignatures: false, verifySignatures: false }).toString("base64")
}

const unsignedBase64 = (tx: Transaction) => tx.serialize({ requireAllSignatures: false, verifySignatures: false }).toString("base64")

test("a one-signer transaction: the wire bytes equal web3.js's, and the signature verifies over the decoded message", async () => {
  const f = fixture(payer)
  const unsigned = unsignedBase64(f.tx(f.canonical()))
  const tx = decodeTransaction(unsigned)
  const message = tx.serializeMessage()
  const signed = await h.runtime.runPromise(signTransaction(walletId, tx))
  const wire = Buffer.from(signed.signedBase64, "base64")
  const signature = wire.subarray(1, 65)
  expect({ count: wire[0], signature: bs58.encode(signature), message: wire.subarray(65).equals(message) }).toEqual({ count: 1, signature: signed.txSignature, message: true })
  expect(ed25519.verify(signature, message, payer.toBytes())).toBe(true)
  expect(signed.signedBase64).toBe(web3Wire(unsigned, signature))
  const back = Transaction.from(wire)
  expect({ verified: back.verifySignatures(), payer: back.feePayer?.toBase58() }).toEqual({ verified: true, payer: payer.toBase58() })
})

test("a message that asks for a second signature is serialized as web3.js does (the empty slot kept)", async () => {
  const other = Keypair.generate().publicKey
  const t = new Transaction({ feePayer: payer, recentBlockhash: BLOCKHASH })
  t.add(SystemProgram.transfer({ fromPubkey: other, toPubkey: payer, lamports: 1 }))
  const unsigned = unsignedBase64(t)
  const signed = await h.runtime.runPromise(signTransaction(walletId, decodeTransaction(unsigned)))
  const wire = Buffer.from(signed.signedBase64, "base64")
  expect(wire[0]).toBe(2)
  expect(signed.signedBase64).toBe(web3Wire(unsigned, wire.subarray(1, 65)))
})

test("a transaction whose fee payer is another key is not signed into the wire", async () => {
  const f = fixture(Keypair.generate().publicKey)
  const exit = await h.runtime.runPromiseExit(signTransaction(walletId, decodeTransaction(unsignedBase64(f.tx(f.canonical())))))
  expect(Exit.isSuccess(exit)).toBe(false)
})

test("the message cut from the wire equals web3.js's compilation; trailing or truncated bytes are refused", async () => {
  const { wireMessage } = await import("../../src/modules/gateway/steps/wire-message")
  const f = fixture(payer)
  const wire = f.tx(f.canonical()).serialize({ requireAllSignatures: false, verifySignatures: false })
  const cut = wireMessage(wire)
  expect(cut && Buffer.from(cut).equals(Transaction.from(wire).serializeMessage())).toBe(true)
  expect(wireMessage(Buffer.concat([wire, Buffer.from([0])]))).toBeUndefined()
  expect(wireMessage(wire.subarray(0, wire.length - 1))).toBeUndefined()
  expect(wireMessage(new Uint8Array([]))).toBeUndefined()
})

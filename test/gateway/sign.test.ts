// The sign step writes the wire bytes itself around the message as received:
// they must equal what web3.js produces for the same transaction and
// signature, and anything but a one-signer message paid by the wallet is refused.
import { ed25519 } from "@noble/curves/ed25519.js"
import { Keypair, PublicKey, SystemProgram, Transaction } from "@solana/web3.js"
import bs58 from "bs58"
import { afterAll, beforeAll, expect, test } from "bun:test"
import { Cause, Effect, Exit } from "effect"
import { signTransaction } from "../../src/modules/gateway/steps/sign"
import { generateWallets } from "../../src/modules/pool/service"
import { isParseFailure, parseLegacyTransaction, type LegacyTransaction } from "../../src/platform/solana/legacy-transaction"
import { Store } from "../../src/store/store"
import type { WalletRow } from "../../src/store/wallets/repo"
import { makeTestApp, type TestApp } from "../support/app"
import { BLOCKHASH, fixture } from "../pool/tx-fixtures"

let h: TestApp
let wallet: WalletRow
let payer: PublicKey
beforeAll(async () => {
  h = await makeTestApp("sqlite")
  const walletId = (await h.runtime.runPromise(generateWallets(1)))[0]!
  wallet = (await h.runtime.runPromise(Effect.flatMap(Store, (s) => s.wallets.findById(walletId))))!
  payer = new PublicKey(wallet.publicKey)
})
afterAll(() => h.close())

const unsignedWire = (tx: Transaction) => tx.serialize({ requireAllSignatures: false, verifySignatures: false })

const parsed = (wire: Uint8Array): LegacyTransaction => {
  const tx = parseLegacyTransaction(wire)
  if (isParseFailure(tx)) throw new Error(tx.reason)
  return tx
}

const failureTag = (exit: Exit.Exit<unknown, { readonly _tag: string; readonly code?: string }>) =>
  Exit.isFailure(exit) ? Cause.findErrorOption(exit.cause).pipe((o) => (o._tag === "Some" ? `${o.value._tag}:${o.value.code}` : "defect")) : "success"

test("a one-signer transaction: the wire bytes equal web3.js's, and the signature verifies over the received message", async () => {
  const f = fixture(payer)
  const unsigned = unsignedWire(f.tx(f.canonical()))
  const message = Transaction.from(unsigned).serializeMessage()
  const signed = await h.runtime.runPromise(signTransaction(wallet, parsed(unsigned)))
  const wire = Buffer.from(signed.signedBase64, "base64")
  const signature = wire.subarray(1, 65)
  expect({ count: wire[0], signature: bs58.encode(signature), message: wire.subarray(65).equals(message) }).toEqual({ count: 1, signature: signed.txSignature, message: true })
  expect(ed25519.verify(signature, message, payer.toBytes())).toBe(true)
  // What web3.js itself serializes for the same transaction with this signature.
  const web3 = Transaction.from(unsigned)
  web3.addSignature(payer, Buffer.from(signature))
  expect(signed.signedBase64).toBe(web3.serialize().toString("base64"))
  const back = Transaction.from(wire)
  expect({ verified: back.verifySignatures(), payer: back.feePayer?.toBase58() }).toEqual({ verified: true, payer: payer.toBase58() })
})

test("a message that asks for a second signature is refused, not half-signed", async () => {
  const other = Keypair.generate().publicKey
  const t = new Transaction({ feePayer: payer, recentBlockhash: BLOCKHASH })
  t.add(SystemProgram.transfer({ fromPubkey: other, toPubkey: payer, lamports: 1 }))
  const exit = await h.runtime.runPromiseExit(signTransaction(wallet, parsed(unsignedWire(t))))
  expect(failureTag(exit)).toBe("TransactionRejected:unexpected_signer")
})

test("a transaction whose fee payer is another key is refused", async () => {
  const f = fixture(Keypair.generate().publicKey)
  const exit = await h.runtime.runPromiseExit(signTransaction(wallet, parsed(unsignedWire(f.tx(f.canonical())))))
  expect(failureTag(exit)).toBe("TransactionRejected:fee_payer_mismatch")
})

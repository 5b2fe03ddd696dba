// Signs the marketplace's transaction with the pool wallet: the message is
// signed exactly as built (the policy already approved these bytes).
import { PublicKey, Transaction } from "@solana/web3.js"
import bs58 from "bs58"
import { Effect } from "effect"
import { Signer } from "../../pool/signer"
import { wireMessage } from "./wire-message"

// The message exactly as the marketplace sent it, per parsed transaction.
const received = new WeakMap<Transaction, Buffer>()

/** Parses the marketplace's transaction and keeps its message bytes as received. */
export const decodeTransaction = (base64: string): Transaction => {
  const wire = Buffer.from(base64, "base64")
  const tx = Transaction.from(wire)
  const message = wireMessage(wire)
  if (message) received.set(tx, Buffer.from(message.buffer, message.byteOffset, message.byteLength))
  return tx
}

// Largest serialized transaction the cluster accepts (web3.js PACKET_DATA_SIZE).
const PACKET_DATA_SIZE = 1232

/**
 * The wire form of a message that needs one signature: shortvec count 1, the
 * signature, the message. Undefined when the message wants more signatures
 * or its fee payer is not `signer` (web3.js handles those, and refuses an
 * unknown signer).
 */
const singleSignerWire = (message: Buffer, signer: Uint8Array, signature: Uint8Array): Buffer | undefined => {
  // Header: required signatures, read-only signed, read-only unsigned; then the
  // shortvec account count (the policy's transactions have < 128 accounts, so
  // one byte) and the fee payer's 32 bytes first.
  if (message[0] !== 1 || message[3] === undefined || message[3] >= 0x80 || message[3] === 0) return undefined
  if (!message.subarray(4, 36).equals(signer)) return undefined
  const wire = Buffer.allocUnsafe(1 + 64 + message.length)
  wire[0] = 1
  wire.set(signature, 1)
  message.copy(wire, 65)
  if (wire.length > PACKET_DATA_SIZE) throw new Error(`Transaction too large: ${wire.length} > ${PACKET_DATA_SIZE}`)
  return wire
}

export const signTransaction = Effect.fn("Gateway.sign")(function* (walletId: string, tx: Transaction) {
  const signer = yield* Signer
  // The bytes the policy parsed are the bytes signed and sent: the message as
  // received when it was well formed, else compiled once by web3.js (whose
  // addSignature and serialize would compile it twice more).
  const message = received.get(tx) ?? tx.serializeMessage()
  const { signature, publicKey } = yield* signer.sign(walletId, message)
  const payer = new PublicKey(publicKey)
  let wire = singleSignerWire(message, payer.toBytes(), signature)
  if (wire === undefined) {
    tx.addSignature(payer, Buffer.from(signature))
    wire = tx.serialize({ requireAllSignatures: true, verifySignatures: false })
  }
  return { signedBase64: wire.toString("base64"), txSignature: bs58.encode(signature) }
})

// Signs the marketplace's transaction with the pool wallet: the message is
// signed exactly as built (the policy already approved these bytes).
import { PublicKey, Transaction } from "@solana/web3.js"
import bs58 from "bs58"
import { Effect } from "effect"
import { Signer } from "../../pool/signer"

export const decodeTransaction = (base64: string): Transaction => Transaction.from(Buffer.from(base64, "base64"))

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
  // Compiled once: web3.js's addSignature and serialize would compile (and
  // re-encode) the same message twice more. These bytes are what is signed
  // and what is sent.
  const message = tx.serializeMessage()
  const { signature, publicKey } = yield* signer.sign(walletId, message)
  const payer = new PublicKey(publicKey)
  let wire = singleSignerWire(message, payer.toBytes(), signature)
  if (wire === undefined) {
    tx.addSignature(payer, Buffer.from(signature))
    wire = tx.serialize({ requireAllSignatures: true, verifySignatures: false })
  }
  return { signedBase64: wire.toString("base64"), txSignature: bs58.encode(signature) }
})

// Signs the marketplace's transaction with the pool wallet: the message is
// signed exactly as built (the policy already approved these bytes).
import { Transaction, PublicKey } from "@solana/web3.js"
import bs58 from "bs58"
import { Effect } from "effect"
import { Signer } from "../../pool/signer"

export const decodeTransaction = (base64: string): Transaction => Transaction.from(Buffer.from(base64, "base64"))

export const signTransaction = Effect.fn("Gateway.sign")(function* (walletId: string, tx: Transaction) {
  const signer = yield* Signer
  const { signature, publicKey } = yield* signer.sign(walletId, tx.serializeMessage())
  tx.addSignature(new PublicKey(publicKey), Buffer.from(signature))
  return { signedBase64: tx.serialize({ requireAllSignatures: true, verifySignatures: false }).toString("base64"), txSignature: bs58.encode(signature) }
})

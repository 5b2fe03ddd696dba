// Signs the marketplace's transaction with the pool wallet: the message is
// signed exactly as received, because those are the bytes the signing policy
// approved. Only one-signer messages whose fee payer is the wallet reach this
// step (the policy refuses any other signer); anything else is refused here
// too rather than half-signed.
import { encodeBase58 } from "../../../platform/solana/base58"
import { Effect } from "effect"
import type { LegacyTransaction } from "../../../platform/solana/legacy-transaction"
import { addressText } from "../../../platform/solana/address-text"
import { TransactionRejected } from "../../pool/errors"
import { Signer, type StoredWallet } from "../../pool/signer"

// Largest serialized transaction the cluster accepts (web3.js PACKET_DATA_SIZE).
const PACKET_DATA_SIZE = 1232

export const signTransaction = Effect.fn("Gateway.sign")(function* (wallet: StoredWallet, tx: LegacyTransaction) {
  const signer = yield* Signer
  if (tx.requiredSignatures !== 1) {
    return yield* new TransactionRejected({ code: "unexpected_signer", reason: `the message requires ${tx.requiredSignatures} signatures; a pool wallet signs only its own` })
  }
  const { signature, publicKey } = yield* signer.sign(wallet.id, tx.message, wallet)
  if (addressText(tx.accountKeys[0]!) !== publicKey) {
    return yield* new TransactionRejected({ code: "fee_payer_mismatch", reason: "the fee payer is not the signing wallet" })
  }
  // Wire form: shortvec signature count 1, the signature, the message.
  const wire = Buffer.allocUnsafe(1 + 64 + tx.message.length)
  wire[0] = 1
  wire.set(signature, 1)
  wire.set(tx.message, 65)
  if (wire.length > PACKET_DATA_SIZE) {
    return yield* new TransactionRejected({ code: "unparseable_transaction", reason: `the signed transaction is ${wire.length} bytes, above the ${PACKET_DATA_SIZE} a cluster accepts` })
  }
  return { signedBase64: wire.toString("base64"), txSignature: encodeBase58(signature) }
})

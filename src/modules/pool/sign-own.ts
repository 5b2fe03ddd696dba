// Signs a message a pool wallet pays for alone, exactly as approved, and
// assembles its wire form. The marketplace's payments (gateway) and the
// sweep (pool) both sign this way: the signing policy approved those bytes,
// so they are not rebuilt. Anything but a one-signer message whose fee payer
// is the wallet is refused rather than half-signed.
import { Effect } from "effect"
import { addressText } from "../../platform/solana/address-text"
import type { LegacyTransaction } from "../../platform/solana/legacy-transaction"
import { TransactionRejected } from "./errors"
import { Signer, type StoredWallet } from "./signer"

// Largest serialized transaction the cluster accepts (web3.js PACKET_DATA_SIZE).
const PACKET_DATA_SIZE = 1232

/** The wire (shortvec signature count 1, the signature, the message) and the signature. */
export const signOwnMessage = Effect.fn("Pool.signOwnMessage")(function* (wallet: StoredWallet, tx: LegacyTransaction) {
  const signer = yield* Signer
  if (tx.requiredSignatures !== 1) {
    return yield* new TransactionRejected({ code: "unexpected_signer", reason: `the message requires ${tx.requiredSignatures} signatures; a pool wallet signs only its own` })
  }
  const { signature, publicKey } = yield* signer.sign(wallet.id, tx.message, wallet)
  if (addressText(tx.accountKeys[0]!) !== publicKey) {
    return yield* new TransactionRejected({ code: "fee_payer_mismatch", reason: "the fee payer is not the signing wallet" })
  }
  const wire = Buffer.allocUnsafe(1 + 64 + tx.message.length)
  wire[0] = 1
  wire.set(signature, 1)
  wire.set(tx.message, 65)
  if (wire.length > PACKET_DATA_SIZE) {
    return yield* new TransactionRejected({ code: "unparseable_transaction", reason: `the signed transaction is ${wire.length} bytes, above the ${PACKET_DATA_SIZE} a cluster accepts` })
  }
  return { wire, signature }
})

// Signs the marketplace's transaction with the pool wallet, exactly as
// received: those are the bytes the signing policy approved (pool/sign-own.ts
// refuses anything but a one-signer message the wallet pays for).
import { Effect } from "effect"
import { encodeBase58 } from "../../../platform/solana/base58"
import type { LegacyTransaction } from "../../../platform/solana/legacy-transaction"
import { signOwnMessage } from "../../pool/sign-own"
import type { StoredWallet } from "../../pool/signer"

export const signTransaction = Effect.fn("Gateway.sign")(function* (wallet: StoredWallet, tx: LegacyTransaction) {
  const { wire, signature } = yield* signOwnMessage(wallet, tx)
  return { signedBase64: wire.toString("base64"), txSignature: encodeBase58(signature) }
})

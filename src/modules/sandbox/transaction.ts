// The payment transaction the sandbox hands out, and the checks on what comes
// back signed. The transaction is what a real chain would execute (the LiteSVM
// test runs it): two transfers from the payer, owner share and protocol fee.
import { PublicKey, SystemProgram, Transaction } from "@solana/web3.js"
import { createPublicKey, verify } from "node:crypto"
import type { TokenSymbol } from "../marketplace/protocol"
import { SANDBOX_USDC_DECIMALS, sandboxUsdcAta, sandboxUsdcMint } from "./identities"
import { transferCheckedInstruction } from "./spl"

export type PaymentPlan = {
  readonly token: TokenSymbol
  readonly payer: PublicKey
  readonly owner: PublicKey
  readonly feeWallet: PublicKey
  /** Base units of `token`: price − fee. */
  readonly ownerAmount: number
  /** Base units of `token`: floor(price × fee_bps / 10000). */
  readonly feeAmount: number
  readonly blockhash: string
}

/** Protocol fee of a price, base units: floor(price × fee_bps / 10000), in integers. */
export const protocolFee = (priceBase: number, feeBps: number): number => Number((BigInt(priceBase) * BigInt(feeBps)) / 10_000n)

export const buildPaymentTransaction = (plan: PaymentPlan): Transaction => {
  const tx = new Transaction({ feePayer: plan.payer, recentBlockhash: plan.blockhash })
  const legs: Array<[PublicKey, number]> = [[plan.owner, plan.ownerAmount], [plan.feeWallet, plan.feeAmount]]
  for (const [to, amount] of legs) {
    if (amount <= 0) continue
    tx.add(
      plan.token === "SOL"
        ? SystemProgram.transfer({ fromPubkey: plan.payer, toPubkey: to, lamports: amount })
        : transferCheckedInstruction(sandboxUsdcAta(plan.payer), sandboxUsdcMint, sandboxUsdcAta(to), plan.payer, amount, SANDBOX_USDC_DECIMALS),
    )
  }
  return tx
}

/** base64 of the unsigned transaction (an empty signature slot for the payer). */
export const serializeUnsigned = (tx: Transaction): string => tx.serialize({ requireAllSignatures: false, verifySignatures: false }).toString("base64")

export type WireTransaction = { readonly signatures: ReadonlyArray<Uint8Array>; readonly message: Uint8Array }

/** Splits a serialized legacy transaction into its signatures and the exact message bytes that were signed. */
export const splitWireTransaction = (bytes: Uint8Array): WireTransaction | undefined => {
  // compact-u16 signature count
  let count = 0
  let offset = 0
  for (let shift = 0; shift < 21; shift += 7) {
    const b = bytes[offset++]
    if (b === undefined) return undefined
    count |= (b & 0x7f) << shift
    if ((b & 0x80) === 0) break
  }
  if (count < 1 || count > 12 || bytes.length < offset + 64 * count + 3) return undefined
  const signatures: Array<Uint8Array> = []
  for (let i = 0; i < count; i++) signatures.push(bytes.slice(offset + 64 * i, offset + 64 * (i + 1)))
  const message = bytes.slice(offset + 64 * count)
  // A versioned message starts with 0x80 | version; the protocol is legacy only.
  if ((message[0]! & 0x80) !== 0) return undefined
  return { signatures, message }
}

// The public key as SubjectPublicKeyInfo DER, what node:crypto takes.
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex")

/**
 * Ed25519 verification through node:crypto: about 50 µs against about 900 µs
 * in pure JS (@noble/curves) on this project's machine, and the sandbox checks
 * every payment it takes on the event loop it shares with the gateway.
 */
export const verifySignature = (signature: Uint8Array, message: Uint8Array, signer: PublicKey): boolean => {
  if (signature.length !== 64) return false
  try {
    const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, signer.toBuffer()]), format: "der", type: "spki" })
    return verify(null, message, key, signature)
  } catch {
    return false
  }
}

export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])

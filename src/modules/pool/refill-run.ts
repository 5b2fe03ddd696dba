// Carrying out the refill report: each wallet that needs funds gets them in
// one transaction from the operator's treasury (SOL by a system transfer;
// USDC by a checked SPL transfer into its token account, created if
// missing), signed with the treasury key the operator supplies at run time.
// A run sends at most `maxUsdc`; wallets past it wait for the next run. On
// the sandbox network the faucet stands in for the treasury.
import { Keypair, PublicKey, SystemProgram, Transaction } from "@solana/web3.js"
import { createAssociatedTokenAccountIdempotentInstruction, createTransferCheckedInstruction, getAssociatedTokenAddressSync } from "@solana/spl-token"
import type { RefillLine } from "./refill"

export type RefillStep = { readonly walletId: string; readonly publicKey: string; readonly usdc: number; readonly lamports: number }

/** The wallets this run funds, in the report's order, within the USDC cap; the rest are left for a later run. */
export const refillPlan = (lines: ReadonlyArray<RefillLine>, maxUsdc: number | undefined): { readonly steps: ReadonlyArray<RefillStep>; readonly deferred: ReadonlyArray<RefillStep> } => {
  const steps: Array<RefillStep> = []
  const deferred: Array<RefillStep> = []
  let usdc = 0
  for (const l of lines) {
    if (l.usdc_needed <= 0 && l.lamports_needed <= 0) continue
    const step = { walletId: l.wallet_id, publicKey: l.public_key, usdc: l.usdc_needed, lamports: l.lamports_needed }
    if (maxUsdc !== undefined && usdc + step.usdc > maxUsdc) deferred.push(step)
    else {
      usdc += step.usdc
      steps.push(step)
    }
  }
  return { steps, deferred }
}

/** The treasury's transaction for one wallet, signed. USDC has 6 decimals. */
export const refillTransaction = (treasury: Keypair, step: RefillStep, usdcMint: PublicKey, recentBlockhash: string): Transaction => {
  const wallet = new PublicKey(step.publicKey)
  const tx = new Transaction({ feePayer: treasury.publicKey, recentBlockhash })
  if (step.lamports > 0) tx.add(SystemProgram.transfer({ fromPubkey: treasury.publicKey, toPubkey: wallet, lamports: step.lamports }))
  if (step.usdc > 0) {
    const from = getAssociatedTokenAddressSync(usdcMint, treasury.publicKey)
    const to = getAssociatedTokenAddressSync(usdcMint, wallet)
    tx.add(createAssociatedTokenAccountIdempotentInstruction(treasury.publicKey, to, wallet, usdcMint))
    tx.add(createTransferCheckedInstruction(from, usdcMint, to, treasury.publicKey, BigInt(step.usdc), 6))
  }
  tx.sign(treasury)
  return tx
}

/** A treasury key file as `solana-keygen` writes it: a JSON array of the 64 secret-key bytes. Never echoed. */
export const readKeypairFile = (text: string): Keypair => {
  let bytes: unknown
  try {
    bytes = JSON.parse(text)
  } catch {
    throw new Error("the key file is not JSON (expected solana-keygen's array of 64 numbers)")
  }
  if (!Array.isArray(bytes) || bytes.length !== 64 || !bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) throw new Error("the key file must hold an array of 64 bytes (solana-keygen's format)")
  return Keypair.fromSecretKey(Uint8Array.from(bytes as Array<number>))
}

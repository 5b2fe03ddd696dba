// Real transactions crafted with web3.js and spl-token builders, shaped like
// the marketplace's (TETTO_PROTOCOL.md, "What the transaction contains").
import {
  createAssociatedTokenAccountIdempotentInstruction,
  createTransferCheckedInstruction,
  getAssociatedTokenAddressSync,
  TOKEN_PROGRAM_ID,
} from "@solana/spl-token"
import { Keypair, PublicKey, Transaction, type TransactionInstruction } from "@solana/web3.js"
import type { PolicyInput } from "../../src/modules/pool/signing-policy"

export const USDC_MINT = new PublicKey("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v")
export const FEE_WALLET = new PublicKey("CYSnefexbvrRU6VxzGfvZqKYM4UixupvDeZg3sUSWm84")
export const BLOCKHASH = "GfVcyD4kkTrj4bKc7WA9sZCin9JDbdT4Zkd3EittNR1W"

export const fixture = (payer: PublicKey = Keypair.generate().publicKey) => {
  const owner = Keypair.generate().publicKey
  const ata = (who: PublicKey, mint = USDC_MINT, program = TOKEN_PROGRAM_ID) => getAssociatedTokenAddressSync(mint, who, true, program)
  const payerAta = ata(payer)
  const ownerAta = ata(owner)
  const feeAta = ata(FEE_WALLET)
  const price = 10_000n
  const fee = (price * 1000n) / 10_000n

  /** The canonical payment: price − fee to the owner, fee to the protocol wallet, both TransferChecked (6 decimals). */
  const canonical = (): Array<TransactionInstruction> => [
    createTransferCheckedInstruction(payerAta, USDC_MINT, ownerAta, payer, price - fee, 6),
    createTransferCheckedInstruction(payerAta, USDC_MINT, feeAta, payer, fee, 6),
  ]

  const tx = (instructions: ReadonlyArray<TransactionInstruction>, feePayer: PublicKey = payer): Transaction => {
    const t = new Transaction({ feePayer, recentBlockhash: BLOCKHASH })
    t.add(...instructions)
    return t
  }

  const bytes = (instructions: ReadonlyArray<TransactionInstruction>, feePayer: PublicKey = payer): Uint8Array =>
    new Uint8Array(tx(instructions, feePayer).serialize({ requireAllSignatures: false, verifySignatures: false }))

  const input = (txOrBytes: PolicyInput["tx"], over: Partial<PolicyInput> = {}): PolicyInput => ({
    tx: txOrBytes,
    payer: payer.toBase58(),
    quote: { amountBase: price, token: "USDC", mint: USDC_MINT.toBase58(), decimals: 6 },
    knownPriceBase: price,
    knownPriceToken: "USDC",
    recipients: [owner.toBase58(), FEE_WALLET.toBase58()],
    allowanceMicroUsd: 10_000,
    toleranceBps: 0,
    computeUnitPriceCap: 100_000,
    solPriceMicroUsd: 250_000_000,
    ...over,
  })

  const createOwnerAta = () => createAssociatedTokenAccountIdempotentInstruction(payer, ownerAta, owner, USDC_MINT)

  return { payer, owner, payerAta, ownerAta, feeAta, price, fee, ata, canonical, tx, bytes, input, createOwnerAta }
}

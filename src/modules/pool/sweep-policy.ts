// The signing policy's treasury rule: a pure decision on whether a retired
// pool wallet may sign a sweep. A sweep may only move the wallet's own USDC
// and SOL to the treasury: a checked USDC transfer from the wallet's token
// account into the treasury's, closing that emptied account with its rent to
// the treasury, and a lamport transfer to the treasury. Anything else (another
// program, another recipient, another signer, a delegate or authority change)
// is refused, so a bug or a tampered row cannot turn a sweep into a payment.
import { addressText } from "../../platform/solana/address-text"
import { isParseFailure, parseLegacyTransaction, SYSTEM_PROGRAM, u32At, u64At, type CompiledInstruction, type LegacyTransaction } from "../../platform/solana/legacy-transaction"
import { associatedTokenAddressText, TOKEN_PROGRAM_ID } from "../../platform/solana/spl-ids"
import { TOKEN_INSTRUCTION } from "../../platform/solana/spl-instructions"

export type SweepPolicyInput = {
  readonly tx: Uint8Array | LegacyTransaction
  /** The retired pool wallet asked to sign (base58). */
  readonly payer: string
  /** POOL_TREASURY_ADDRESS. */
  readonly treasury: string
  /** The USDC mint of the wallet's network. */
  readonly mint: string
  readonly decimals: number
}

export type SweepRejectCode = "unparseable_transaction" | "fee_payer_mismatch" | "unexpected_signer" | "program_not_allowed" | "not_to_treasury" | "instruction_forbidden"

export type SweepVerdict =
  | { readonly ok: true; readonly tx: LegacyTransaction; readonly usdc: bigint; readonly lamports: bigint; readonly closesTokenAccount: boolean }
  | { readonly ok: false; readonly code: SweepRejectCode; readonly reason: string }

const TOKEN = TOKEN_PROGRAM_ID.toBase58()

const reject = (code: SweepRejectCode, reason: string): SweepVerdict => ({ ok: false, code, reason })

/** Decides whether `input.payer` may sign `input.tx` as a sweep to the treasury. Pure. */
export const checkSweep = (input: SweepPolicyInput): SweepVerdict => {
  const parsed = input.tx instanceof Uint8Array ? parseLegacyTransaction(input.tx) : input.tx
  if (isParseFailure(parsed)) return reject("unparseable_transaction", `the bytes are not a legacy Solana transaction (${parsed.reason})`)
  const tx = parsed
  const key = (index: number): string => addressText(tx.accountKeys[index]!)
  const account = (ix: CompiledInstruction, n: number): string => key(ix.accountIndexes[n]!)

  if (tx.requiredSignatures < 1 || key(0) !== input.payer) return reject("fee_payer_mismatch", "the fee payer is not the retired wallet")
  if (tx.requiredSignatures > 1) return reject("unexpected_signer", `the transaction requires a signature from ${key(1)}, not only the retired wallet`)

  const payerAta = associatedTokenAddressText(input.mint, input.payer, TOKEN)
  const treasuryAta = associatedTokenAddressText(input.mint, input.treasury, TOKEN)
  let usdc = 0n
  let lamports = 0n
  let closesTokenAccount = false

  for (const [i, ix] of tx.instructions.entries()) {
    const where = `instruction ${i}`
    const program = key(ix.programIndex)
    const d = ix.data
    if (program === SYSTEM_PROGRAM) {
      if (d.length !== 12 || u32At(d, 0) !== 2 || ix.accountIndexes.length !== 2) return reject("instruction_forbidden", `${where} is a System instruction other than a transfer`)
      if (account(ix, 0) !== input.payer) return reject("instruction_forbidden", `${where} transfers lamports from ${account(ix, 0)}, not from the retired wallet`)
      if (account(ix, 1) !== input.treasury) return reject("not_to_treasury", `${where} sends lamports to ${account(ix, 1)}, not to the treasury`)
      lamports += u64At(d, 4)
    } else if (program === TOKEN) {
      if (d[0] === TOKEN_INSTRUCTION.transferChecked && d.length === 10 && ix.accountIndexes.length === 4) {
        const [source, mint, dest, authority] = [0, 1, 2, 3].map((n) => account(ix, n))
        if (mint !== input.mint || d[9] !== input.decimals) return reject("instruction_forbidden", `${where} transfers mint ${mint}, not USDC`)
        if (authority !== input.payer || source !== payerAta) return reject("instruction_forbidden", `${where} moves tokens that are not the retired wallet's own USDC`)
        if (dest !== treasuryAta) return reject("not_to_treasury", `${where} sends USDC to ${dest}, not to the treasury's USDC account`)
        usdc += u64At(d, 1)
      } else if (d[0] === TOKEN_INSTRUCTION.closeAccount && d.length === 1 && ix.accountIndexes.length === 3) {
        const [closed, dest, owner] = [0, 1, 2].map((n) => account(ix, n))
        if (closed !== payerAta || owner !== input.payer) return reject("instruction_forbidden", `${where} closes ${closed}, not the retired wallet's USDC account`)
        if (dest !== input.treasury) return reject("not_to_treasury", `${where} sends the closed account's rent to ${dest}, not to the treasury`)
        closesTokenAccount = true
      } else {
        return reject("instruction_forbidden", `${where} is a token instruction other than TransferChecked or CloseAccount`)
      }
    } else {
      return reject("program_not_allowed", `${where} calls program ${program}, which a sweep never signs for`)
    }
  }
  return { ok: true, tx, usdc, lamports, closesTokenAccount }
}

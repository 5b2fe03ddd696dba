// The sandbox ledger's sendTransaction: executes a signed legacy transaction
// made of the instructions the product itself sends on a real chain (a
// sweep's System transfer, SPL TransferChecked and CloseAccount), with the
// checks a real chain makes before and while executing: every required
// signature verified, a recent blockhash, a signature processed once, the
// fee charged to the fee payer, signers and token owners as the programs
// require them, no debit without funds, no closing a token account that still
// holds tokens. Anything else is refused with the error a real node's
// preflight answers, and nothing of a refused transaction sticks.
import bs58 from "bs58"
import { sql } from "drizzle-orm"
import { Data, Effect } from "effect"
import { PublicKey } from "@solana/web3.js"
import { addressText } from "../../platform/solana/address-text"
import { isParseFailure, parseLegacyTransaction, SYSTEM_PROGRAM, u32At, u64At, type CompiledInstruction } from "../../platform/solana/legacy-transaction"
import { TOKEN_INSTRUCTION } from "../../platform/solana/spl-instructions"
import { NETWORK_FEE_LAMPORTS, SANDBOX_USDC_DECIMALS, sandboxUsdcMint, TOKEN_ACCOUNT_RENT_LAMPORTS } from "./identities"
import { applyMoves, BLOCKHASH_VALID_SLOTS, blockhashOf, creditSol, currentSlot, LedgerShortfall, nextSlot, recordSignature, solBalance, tokenAccount } from "./ledger"
import { TOKEN_PROGRAM_ID } from "./spl"
import type { SandboxSql, SandboxStore } from "./store/sql"
import { verifySignature } from "./transaction"

/** A refusal in the JSON-RPC error's shape: the code and message a real node's preflight gives. */
export class SendRefused extends Data.TaggedError("SendRefused")<{ readonly code: number; readonly message: string; readonly err: unknown }> {}

const TOKEN = TOKEN_PROGRAM_ID.toBase58()
const USDC = sandboxUsdcMint.toBase58()

const simulationFailed = (message: string, err: unknown) => new SendRefused({ code: -32002, message: `Transaction simulation failed: ${message}`, err })
/** An instruction's failure: a program's custom error (SPL Token's and System's codes). */
const custom = (index: number, code: number) => simulationFailed(`Error processing Instruction ${index}: custom program error: 0x${code.toString(16)}`, { InstructionError: [index, { Custom: code }] })
const readonlyData = (index: number) => simulationFailed(`Error processing Instruction ${index}: instruction modified data of a read-only account`, { InstructionError: [index, "ReadonlyDataModified"] })
const invalidAccount = (index: number, what: string) => simulationFailed(`Error processing Instruction ${index}: ${what}`, { InstructionError: [index, what] })

// SPL Token's error codes (token/program/src/error.rs) and System's.
const TOKEN_ERROR = { insufficientFunds: 1, mintMismatch: 3, ownerMismatch: 4, nonNativeHasBalance: 11, mintDecimalsMismatch: 18 } as const
const SYSTEM_RESULT_WITH_NEGATIVE_LAMPORTS = 1


const deleteTokenAccount = (db: SandboxSql, address: string) => db.rows(sql`delete from sandbox.token_accounts where address = ${address} returning 1`)

/** Verifies, then executes `wire` in one ledger transaction; the first signature (base58) on success. */
export const executeTransaction = (db: SandboxStore, wire: Uint8Array, now: number): Effect.Effect<string, SendRefused> =>
  Effect.gen(function* () {
    const tx = parseLegacyTransaction(wire)
    if (isParseFailure(tx)) return yield* new SendRefused({ code: -32602, message: `failed to deserialize solana_sdk::transaction::versioned::VersionedTransaction: ${tx.reason}`, err: null })
    const key = (i: number) => addressText(tx.accountKeys[i]!)
    const signers = tx.requiredSignatures
    const firstSignature = wire.length - tx.message.length - 64 * tx.signatureCount
    const signatures = Array.from({ length: tx.signatureCount }, (_, i) => wire.subarray(firstSignature + 64 * i, firstSignature + 64 * (i + 1)))
    if (signers < 1 || tx.signatureCount !== signers || !signatures.every((s, i) => verifySignature(s, tx.message, new PublicKey(tx.accountKeys[i]!))))
      return yield* new SendRefused({ code: -32003, message: "Transaction signature verification failure", err: null })

    const slot = yield* currentSlot(db)
    const blockhash = bs58.encode(tx.recentBlockhash)
    let recent = false
    for (let s = slot; s > Math.max(0, slot - BLOCKHASH_VALID_SLOTS) && !recent; s--) recent = blockhashOf(s) === blockhash
    if (!recent) return yield* simulationFailed("Blockhash not found", "BlockhashNotFound")

    const signature = bs58.encode(signatures[0]!)
    const isSigner = (i: number) => i < signers
    // The header's read-only counts: signed accounts come first, then unsigned; the read-only ones end each group.
    const isWritable = (i: number) => (i < signers ? i < signers - tx.readonlySigned : i < tx.accountKeys.length - tx.readonlyUnsigned)
    const writable = (ix: CompiledInstruction, ...ns: Array<number>) => ns.every((n) => isWritable(ix.accountIndexes[n]!))
    // No account holds 2^53 base units: a larger amount is short of funds, as on a chain (and never reaches a database as a number it cannot hold).
    const amountOf = (raw: bigint): number | undefined => (raw > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(raw))
    const account = (ix: CompiledInstruction, n: number) => key(ix.accountIndexes[n]!)

    const instruction = (ledger: SandboxSql, ix: CompiledInstruction, i: number): Effect.Effect<void, SendRefused> =>
      Effect.gen(function* () {
        const program = key(ix.programIndex)
        const d = ix.data
        if (program === SYSTEM_PROGRAM && d.length === 12 && u32At(d, 0) === 2 && ix.accountIndexes.length === 2) {
          if (!isSigner(ix.accountIndexes[0]!)) return yield* invalidAccount(i, "MissingRequiredSignature")
          if (!writable(ix, 0, 1)) return yield* simulationFailed(`Error processing Instruction ${i}: instruction changed the balance of a read-only account`, { InstructionError: [i, "ReadonlyLamportChange"] })
          const lamports = amountOf(u64At(d, 4))
          if (lamports === undefined) return yield* custom(i, SYSTEM_RESULT_WITH_NEGATIVE_LAMPORTS)
          yield* applyMoves(ledger, [{ kind: "sol", from: account(ix, 0), to: account(ix, 1), lamports }]).pipe(Effect.mapError(() => custom(i, SYSTEM_RESULT_WITH_NEGATIVE_LAMPORTS)))
          return
        }
        if (program === TOKEN && d[0] === TOKEN_INSTRUCTION.transferChecked && d.length === 10 && ix.accountIndexes.length === 4) {
          const [source, mint, dest, authority] = [0, 1, 2, 3].map((n) => account(ix, n))
          const from = yield* tokenAccount(ledger, source!)
          const to = yield* tokenAccount(ledger, dest!)
          if (!from || !to) return yield* invalidAccount(i, "InvalidAccountData")
          if (mint !== USDC || from.mint !== USDC || to.mint !== USDC) return yield* custom(i, TOKEN_ERROR.mintMismatch)
          if (d[9] !== SANDBOX_USDC_DECIMALS) return yield* custom(i, TOKEN_ERROR.mintDecimalsMismatch)
          if (from.owner !== authority) return yield* custom(i, TOKEN_ERROR.ownerMismatch)
          if (!isSigner(ix.accountIndexes[3]!)) return yield* invalidAccount(i, "MissingRequiredSignature")
          if (!writable(ix, 0, 2)) return yield* readonlyData(i)
          const amount = amountOf(u64At(d, 1))
          if (amount === undefined) return yield* custom(i, TOKEN_ERROR.insufficientFunds)
          yield* applyMoves(ledger, [{ kind: "usdc", fromOwner: from.owner, toOwner: to.owner, amount }]).pipe(Effect.mapError(() => custom(i, TOKEN_ERROR.insufficientFunds)))
          return
        }
        if (program === TOKEN && d[0] === TOKEN_INSTRUCTION.closeAccount && d.length === 1 && ix.accountIndexes.length === 3) {
          const [closed, dest, owner] = [0, 1, 2].map((n) => account(ix, n))
          const row = yield* tokenAccount(ledger, closed!)
          if (!row) return yield* invalidAccount(i, "InvalidAccountData")
          if (row.owner !== owner) return yield* custom(i, TOKEN_ERROR.ownerMismatch)
          if (!isSigner(ix.accountIndexes[2]!)) return yield* invalidAccount(i, "MissingRequiredSignature")
          if (dest === closed) return yield* invalidAccount(i, "InvalidAccountData")
          if (!writable(ix, 0, 1)) return yield* readonlyData(i)
          if (row.amount !== 0) return yield* custom(i, TOKEN_ERROR.nonNativeHasBalance)
          yield* deleteTokenAccount(ledger, closed!)
          // The account's rent-exempt lamports (what getAccountInfo shows it holding) go to the destination.
          // The sandbox opens token accounts without charging their rent, so this is new sandbox SOL, as the faucet's is.
          yield* creditSol(ledger, dest!, TOKEN_ACCOUNT_RENT_LAMPORTS)
          return
        }
        return yield* invalidAccount(i, "InvalidInstructionData")
      })

    yield* db.transaction((ledger) =>
      Effect.gen(function* () {
        const at = yield* nextSlot(ledger, now)
        if (!(yield* recordSignature(ledger, signature, at, null, now))) return yield* simulationFailed("This transaction has already been processed", "AlreadyProcessed")
        const feePayer = yield* solBalance(ledger, key(0))
        if (!feePayer) return yield* simulationFailed("Attempt to debit an account but found no record of a prior credit.", "AccountNotFound")
        yield* applyMoves(ledger, [{ kind: "sol", from: key(0), to: null, lamports: NETWORK_FEE_LAMPORTS * signers }]).pipe(
          Effect.catchTag("LedgerShortfall", (_: LedgerShortfall) => simulationFailed("Insufficient funds for fee", "InsufficientFundsForFee")),
        )
        for (const [i, ix] of tx.instructions.entries()) yield* instruction(ledger, ix, i)
      }),
    )
    return signature
  })

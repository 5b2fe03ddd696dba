// The signing policy: a pure decision on whether a pool wallet may sign a
// transaction the marketplace built (TETTO_PROTOCOL.md, "Before signing").
// Everything it needs arrives as input; it reads no clock, no network and no
// database, so each rule is unit-tested on real crafted transactions.
//
// Value is counted in the quote token's base units (micro-USD for USDC,
// lamports for SOL). Lamports a USDC-priced call spends (rent of created
// accounts, transfers, priority and base fees) are converted at a configured
// SOL price that should be set high: over-valuing lamports only makes the
// policy stricter.
//
// The transaction is read from its wire bytes (platform/solana/
// legacy-transaction.ts); accounts are compared as base58 text.
import { isAddressShaped } from "../../platform/solana/address"
import { addressText } from "../../platform/solana/address-text"
import { isParseFailure, parseLegacyTransaction, SYSTEM_PROGRAM, u32At, u64At, type CompiledInstruction, type LegacyTransaction } from "../../platform/solana/legacy-transaction"
import { ASSOCIATED_TOKEN_PROGRAM_ID, associatedTokenAddressText, TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID } from "../../platform/solana/spl-ids"

export type Quote = {
  /** The amount the marketplace quoted, in base units of `token`. */
  readonly amountBase: number | bigint
  readonly token: "USDC" | "SOL"
  /** The quoted token's mint (wrapped SOL for SOL). */
  readonly mint: string
  readonly decimals: number
}

export type PolicyInput = {
  /** The marketplace's transaction: serialized bytes or already parsed. */
  readonly tx: Uint8Array | LegacyTransaction
  /** The pool wallet that is asked to sign (base58). */
  readonly payer: string
  readonly quote: Quote
  /** The agent's price as the gateway knows it, in base units of `knownPriceToken`. */
  readonly knownPriceBase: number | bigint
  /** The token the agent is priced in; a quote in another token is refused (the amounts would not compare). */
  readonly knownPriceToken: "USDC" | "SOL"
  /**
   * Owners allowed to receive: the agent's owner wallet and the protocol fee
   * wallet (plus, if the operator configures one, an escrow). Token transfers
   * must land in their associated token accounts for the quoted mint (or in
   * an account listed here directly); lamport transfers must go to them.
   */
  readonly recipients: ReadonlyArray<string>
  /** Value allowed beyond the quote, micro-USD (covers fees and rent). */
  readonly allowanceMicroUsd: number
  /** How far the quote may exceed the known price, basis points. */
  readonly toleranceBps: number
  /** Highest compute-unit price accepted, micro-lamports per CU. */
  readonly computeUnitPriceCap: number
  /** Value of 1 SOL in micro-USD (converts lamports for USDC quotes and the allowance for SOL quotes). */
  readonly solPriceMicroUsd: number
}

export type RejectCode =
  | "unparseable_transaction"
  | "versioned_transaction"
  | "fee_payer_mismatch"
  | "unexpected_signer"
  | "program_not_allowed"
  | "system_instruction_forbidden"
  | "token_instruction_forbidden"
  | "token_authority_not_payer"
  | "token_source_not_payer_ata"
  | "foreign_mint"
  | "unknown_recipient"
  | "ata_instruction_forbidden"
  | "compute_budget_instruction_forbidden"
  | "cu_price_above_cap"
  | "quote_above_price"
  | "quote_token_mismatch"
  | "value_exceeds_quote"

export type Outflow = {
  /** Quoted-mint tokens transferred out, base units. */
  readonly tokenBase: bigint
  /** Lamports: transfers + rent of created accounts + priority fee + base fee. */
  readonly lamports: bigint
  readonly priorityFeeLamports: bigint
  readonly rentLamports: bigint
  /** Everything above in the quote's base units. */
  readonly valueBase: bigint
  /** Quote + allowance, quote base units. */
  readonly limitBase: bigint
}

/** On approval, the parsed transaction comes back with the outflow: its `message` is exactly what was checked, so exactly what may be signed. */
export type Verdict =
  | { readonly ok: true; readonly outflow: Outflow; readonly tx: LegacyTransaction }
  | { readonly ok: false; readonly code: RejectCode; readonly reason: string }

const COMPUTE_BUDGET = "ComputeBudget111111111111111111111111111111"
const TOKEN = TOKEN_PROGRAM_ID.toBase58()
const TOKEN_2022 = TOKEN_2022_PROGRAM_ID.toBase58()
const ATA = ASSOCIATED_TOKEN_PROGRAM_ID.toBase58()
const TOKEN_PROGRAMS = [TOKEN, TOKEN_2022] as const

/** Rent-exempt minimum of an associated token account, lamports: 165 bytes (Token), 170 with ImmutableOwner (Token-2022). */
export const ATA_RENT_LAMPORTS: Readonly<Record<string, bigint>> = { [TOKEN]: 2_039_280n, [TOKEN_2022]: 2_074_080n }
export const LAMPORTS_PER_SIGNATURE = 5000n
const DEFAULT_CU_PER_INSTRUCTION = 200_000n
const MAX_CU = 1_400_000n

const reject = (code: RejectCode, reason: string): Verdict => ({ ok: false, code, reason })


const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b

const parse = (tx: Uint8Array | LegacyTransaction): LegacyTransaction | Verdict => {
  if (!(tx instanceof Uint8Array)) return tx
  const parsed = parseLegacyTransaction(tx)
  if (!isParseFailure(parsed)) return parsed
  return parsed.failure === "versioned"
    ? reject("versioned_transaction", "versioned transactions are not signed; the protocol uses legacy transactions")
    : reject("unparseable_transaction", `the bytes are not a legacy Solana transaction (${parsed.reason})`)
}

/** The associated token account, or undefined when an input is not an address (it then matches nothing). */
const ataOrNothing = (mint: string, owner: string, program: string): string | undefined => {
  if (!isAddressShaped(mint) || !isAddressShaped(owner) || !isAddressShaped(program)) return undefined
  try {
    return associatedTokenAddressText(mint, owner, program)
  } catch {
    return undefined
  }
}

/** Decides whether `input.payer` may sign `input.tx`. Pure. */
export const checkTransaction = (input: PolicyInput): Verdict => {
  if (input.quote.token !== input.knownPriceToken) {
    return reject("quote_token_mismatch", `the quote is in ${input.quote.token}, the agent is priced in ${input.knownPriceToken}`)
  }
  const quoteBase = BigInt(input.quote.amountBase)
  const known = BigInt(input.knownPriceBase)
  if (quoteBase * 10_000n > known * BigInt(10_000 + input.toleranceBps)) {
    return reject("quote_above_price", `the quote of ${quoteBase} base units exceeds the agent's known price of ${known} by more than ${input.toleranceBps} bps`)
  }

  const parsed = parse(input.tx)
  if ("ok" in parsed) return parsed
  const tx = parsed
  // Each account's text once per call: instructions name the same accounts repeatedly.
  const texts: Array<string | undefined> = new Array(tx.accountKeys.length)
  const key = (index: number): string => (texts[index] ??= addressText(tx.accountKeys[index]!))
  const account = (ix: CompiledInstruction, n: number): string => key(ix.accountIndexes[n]!)

  const feePayer = tx.requiredSignatures > 0 ? key(0) : undefined
  if (feePayer !== input.payer) return reject("fee_payer_mismatch", `the fee payer is ${feePayer ?? "missing"}, not the pool wallet`)
  // The first `requiredSignatures` keys are the signers; the fee payer is the first.
  if (tx.requiredSignatures > 1) return reject("unexpected_signer", `the transaction requires a signature from ${key(1)}, not only the pool wallet`)

  const recipients = new Set(input.recipients)
  const allowedDestinations = new Map<string, Set<string>>()
  const payerAta = new Map<string, string | undefined>()
  for (const program of TOKEN_PROGRAMS) {
    const set = new Set<string>(recipients)
    for (const r of input.recipients) {
      const ata = ataOrNothing(input.quote.mint, r, program)
      if (ata !== undefined) set.add(ata)
    }
    allowedDestinations.set(program, set)
    payerAta.set(program, ataOrNothing(input.quote.mint, input.payer, program))
  }

  let tokenBase = 0n
  let transferLamports = 0n
  let rentLamports = 0n
  let cuLimit: bigint | undefined
  let cuPrice: bigint | undefined
  let otherInstructions = 0n

  for (const [i, ix] of tx.instructions.entries()) {
    const program = key(ix.programIndex)
    const where = `instruction ${i}`
    if (program !== COMPUTE_BUDGET) otherInstructions++
    const verdict =
      program === COMPUTE_BUDGET ? computeBudget(ix, where)
      : program === SYSTEM_PROGRAM ? system(ix, where)
      : program === TOKEN || program === TOKEN_2022 ? token(ix, program, where)
      : program === ATA ? ata(ix, where)
      : reject("program_not_allowed", `${where} calls program ${program}, which a pool wallet never signs for`)
    if (verdict) return verdict
  }

  function computeBudget(ix: CompiledInstruction, where: string): Verdict | undefined {
    const d = ix.data
    if (d[0] === 2 && d.length === 5) {
      if (cuLimit !== undefined) return reject("compute_budget_instruction_forbidden", `${where} sets the compute-unit limit twice`)
      cuLimit = BigInt(u32At(d, 1))
      return undefined
    }
    if (d[0] === 3 && d.length === 9) {
      if (cuPrice !== undefined) return reject("compute_budget_instruction_forbidden", `${where} sets the compute-unit price twice`)
      cuPrice = u64At(d, 1)
      if (cuPrice > BigInt(input.computeUnitPriceCap)) return reject("cu_price_above_cap", `${where} sets a compute-unit price of ${cuPrice} micro-lamports, above the cap of ${input.computeUnitPriceCap}`)
      return undefined
    }
    return reject("compute_budget_instruction_forbidden", `${where} is a compute-budget instruction other than a unit limit or price`)
  }

  function system(ix: CompiledInstruction, where: string): Verdict | undefined {
    const d = ix.data
    if (d.length !== 12 || u32At(d, 0) !== 2 || ix.accountIndexes.length !== 2) {
      return reject("system_instruction_forbidden", `${where} is a System instruction other than a transfer (only transfers from the pool wallet are signed)`)
    }
    const from = account(ix, 0)
    const to = account(ix, 1)
    if (from !== input.payer) return reject("system_instruction_forbidden", `${where} transfers lamports from ${from}, not from the pool wallet`)
    if (!recipients.has(to)) return reject("unknown_recipient", `${where} sends lamports to ${to}, which is not the agent owner or the fee wallet`)
    transferLamports += u64At(d, 4)
    return undefined
  }

  function token(ix: CompiledInstruction, program: string, where: string): Verdict | undefined {
    const d = ix.data
    let source: string, dest: string, authority: string
    if (d[0] === 3 && d.length === 9 && ix.accountIndexes.length === 3) {
      source = account(ix, 0)
      dest = account(ix, 1)
      authority = account(ix, 2)
    } else if (d[0] === 12 && d.length === 10 && ix.accountIndexes.length === 4) {
      source = account(ix, 0)
      const ixMint = account(ix, 1)
      dest = account(ix, 2)
      authority = account(ix, 3)
      if (ixMint !== input.quote.mint) return reject("foreign_mint", `${where} transfers mint ${ixMint}, not the quoted ${input.quote.token} mint`)
      if (d[9] !== input.quote.decimals) return reject("foreign_mint", `${where} states ${d[9]} decimals, the quoted mint has ${input.quote.decimals}`)
    } else {
      return reject("token_instruction_forbidden", `${where} is a token instruction other than Transfer/TransferChecked (e.g. Approve, SetAuthority, CloseAccount, Burn) or has extra signers`)
    }
    if (authority !== input.payer) return reject("token_authority_not_payer", `${where} moves tokens under authority ${authority}, not the pool wallet`)
    if (source !== payerAta.get(program)) return reject("token_source_not_payer_ata", `${where} moves tokens from ${source}, not the pool wallet's ${input.quote.token} account`)
    if (!allowedDestinations.get(program)!.has(dest)) return reject("unknown_recipient", `${where} sends tokens to ${dest}, which is not the agent owner's or the fee wallet's account`)
    tokenBase += u64At(d, 1)
    return undefined
  }

  function ata(ix: CompiledInstruction, where: string): Verdict | undefined {
    const d = ix.data
    if (!(d.length === 0 || (d.length === 1 && (d[0] === 0 || d[0] === 1))) || ix.accountIndexes.length < 6) {
      return reject("ata_instruction_forbidden", `${where} is an associated-token instruction other than create`)
    }
    const [funder, created, owner, ixMint, , tokenProgram] = ix.accountIndexes.map(key)
    if (funder !== input.payer) return reject("ata_instruction_forbidden", `${where} creates an account funded by ${funder}, not the pool wallet`)
    if (ixMint !== input.quote.mint) return reject("foreign_mint", `${where} creates an account for mint ${ixMint}, not the quoted ${input.quote.token} mint`)
    const rent = ATA_RENT_LAMPORTS[tokenProgram!]
    if (rent === undefined) return reject("ata_instruction_forbidden", `${where} names token program ${tokenProgram}`)
    if (!recipients.has(owner!)) return reject("unknown_recipient", `${where} creates a token account for ${owner}, which is not the agent owner or the fee wallet`)
    if (ataOrNothing(input.quote.mint, owner!, tokenProgram!) !== created) return reject("ata_instruction_forbidden", `${where} creates ${created}, which is not ${owner}'s associated token account`)
    // Counted even for create-idempotent: whether the account exists is not
    // knowable here, and over-counting only makes the check stricter.
    rentLamports += rent
    return undefined
  }

  const limit = cuLimit ?? (otherInstructions * DEFAULT_CU_PER_INSTRUCTION < MAX_CU ? otherInstructions * DEFAULT_CU_PER_INSTRUCTION : MAX_CU)
  const priorityFeeLamports = cuPrice === undefined ? 0n : ceilDiv(cuPrice * limit, 1_000_000n)
  const lamports = transferLamports + rentLamports + priorityFeeLamports + LAMPORTS_PER_SIGNATURE
  const solPrice = BigInt(input.solPriceMicroUsd)
  const allowance = BigInt(input.allowanceMicroUsd)
  const isSol = input.quote.token === "SOL"
  const valueBase = isSol ? tokenBase + lamports : tokenBase + ceilDiv(lamports * solPrice, 1_000_000_000n)
  const limitBase = quoteBase + (isSol ? (allowance * 1_000_000_000n) / solPrice : allowance)
  const outflow: Outflow = { tokenBase, lamports, priorityFeeLamports, rentLamports, valueBase, limitBase }
  if (valueBase > limitBase) {
    return reject("value_exceeds_quote", `the transaction moves ${valueBase} base units of value (tokens ${tokenBase}, lamports ${lamports} incl. rent ${rentLamports} and priority fee ${priorityFeeLamports}), above the quote plus allowance of ${limitBase}`)
  }
  return { ok: true, outflow, tx }
}

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
import { ASSOCIATED_TOKEN_PROGRAM_ID, associatedTokenAddress, TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID } from "../../platform/solana/spl-ids"
import { ComputeBudgetProgram, PublicKey, SystemProgram, Transaction, type TransactionInstruction } from "@solana/web3.js"

export type Quote = {
  /** The amount the marketplace quoted, in base units of `token`. */
  readonly amountBase: number | bigint
  readonly token: "USDC" | "SOL"
  /** The quoted token's mint (wrapped SOL for SOL). */
  readonly mint: string
  readonly decimals: number
}

export type PolicyInput = {
  /** The marketplace's transaction: serialized bytes or an already parsed legacy Transaction. */
  readonly tx: Uint8Array | Transaction
  /** The pool wallet that is asked to sign (base58). */
  readonly payer: string
  readonly quote: Quote
  /** The agent's price as the gateway knows it, same token and units as the quote. */
  readonly knownPriceBase: number | bigint
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

export type Verdict = { readonly ok: true; readonly outflow: Outflow } | { readonly ok: false; readonly code: RejectCode; readonly reason: string }

// Base58 of a key, remembered per PublicKey object (~7 µs each otherwise): a
// transaction names the same account objects in several instructions, and
// the cached associated token addresses are the same objects every call.
// PublicKey has no mutator, so an object's text never changes.
const base58 = new WeakMap<PublicKey, string>()
const b58 = (key: PublicKey): string => {
  let s = base58.get(key)
  if (s === undefined) base58.set(key, (s = key.toBase58()))
  return s
}

const SYSTEM = b58(SystemProgram.programId)
const COMPUTE_BUDGET = b58(ComputeBudgetProgram.programId)
const TOKEN = b58(TOKEN_PROGRAM_ID)
const TOKEN_2022 = b58(TOKEN_2022_PROGRAM_ID)
const ATA = b58(ASSOCIATED_TOKEN_PROGRAM_ID)

/** Rent-exempt minimum of an associated token account, lamports: 165 bytes (Token), 170 with ImmutableOwner (Token-2022). */
export const ATA_RENT_LAMPORTS: Readonly<Record<string, bigint>> = { [TOKEN]: 2_039_280n, [TOKEN_2022]: 2_074_080n }
export const LAMPORTS_PER_SIGNATURE = 5000n
const DEFAULT_CU_PER_INSTRUCTION = 200_000n
const MAX_CU = 1_400_000n

const reject = (code: RejectCode, reason: string): Verdict => ({ ok: false, code, reason })

const u32 = (d: Uint8Array, at: number) => BigInt(new DataView(d.buffer, d.byteOffset, d.byteLength).getUint32(at, true))
const u64 = (d: Uint8Array, at: number) => new DataView(d.buffer, d.byteOffset, d.byteLength).getBigUint64(at, true)

// A legacy message starts with its header byte (< 0x80); a versioned one with
// 0x80 | version. The message begins after the shortvec signature count and
// the signatures.
const isVersioned = (bytes: Uint8Array): boolean => {
  let count = 0
  let shift = 0
  let at = 0
  for (;;) {
    const b = bytes[at++]
    if (b === undefined) return false
    count |= (b & 0x7f) << shift
    if ((b & 0x80) === 0) break
    shift += 7
    if (shift > 14) return false
  }
  const first = bytes[at + count * 64]
  return first !== undefined && (first & 0x80) !== 0
}

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b

const parse = (tx: Uint8Array | Transaction): Transaction | Verdict => {
  if (tx instanceof Transaction) return tx
  if (isVersioned(tx)) return reject("versioned_transaction", "versioned transactions are not signed; the protocol uses legacy transactions")
  try {
    return Transaction.from(tx)
  } catch (e) {
    return reject("unparseable_transaction", `the bytes are not a legacy Solana transaction (${e instanceof Error ? e.message.slice(0, 80) : "parse error"})`)
  }
}

/** Decides whether `input.payer` may sign `input.tx`. Pure. */
export const checkTransaction = (input: PolicyInput): Verdict => {
  const quoteBase = BigInt(input.quote.amountBase)
  const known = BigInt(input.knownPriceBase)
  if (quoteBase * 10_000n > known * BigInt(10_000 + input.toleranceBps)) {
    return reject("quote_above_price", `the quote of ${quoteBase} base units exceeds the agent's known price of ${known} by more than ${input.toleranceBps} bps`)
  }

  const parsed = parse(input.tx)
  if (!(parsed instanceof Transaction)) return parsed
  const tx = parsed

  const feePayer = tx.feePayer ? b58(tx.feePayer) : undefined
  if (feePayer !== input.payer) return reject("fee_payer_mismatch", `the fee payer is ${feePayer ?? "missing"}, not the pool wallet`)

  for (const ix of tx.instructions) {
    for (const k of ix.keys) {
      if (k.isSigner && b58(k.pubkey) !== input.payer) return reject("unexpected_signer", `the transaction requires a signature from ${b58(k.pubkey)}, not only the pool wallet`)
    }
  }

  const mint = new PublicKey(input.quote.mint)
  const payer = new PublicKey(input.payer)
  const recipients = new Set(input.recipients)
  const tokenPrograms = [TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID]
  const ataOf = (owner: PublicKey, program: PublicKey) => b58(associatedTokenAddress(mint, owner, program))
  const allowedDestinations = new Map<string, Set<string>>()
  for (const program of tokenPrograms) {
    const set = new Set<string>(recipients)
    for (const r of input.recipients) set.add(ataOf(new PublicKey(r), program))
    allowedDestinations.set(b58(program), set)
  }
  const payerAta = new Map(tokenPrograms.map((p) => [b58(p), ataOf(payer, p)] as const))

  let tokenBase = 0n
  let transferLamports = 0n
  let rentLamports = 0n
  let cuLimit: bigint | undefined
  let cuPrice: bigint | undefined
  let otherInstructions = 0n

  for (const [i, ix] of tx.instructions.entries()) {
    const program = b58(ix.programId)
    const where = `instruction ${i}`
    if (program !== COMPUTE_BUDGET) otherInstructions++
    const verdict =
      program === COMPUTE_BUDGET ? computeBudget(ix, where)
      : program === SYSTEM ? system(ix, where)
      : program === TOKEN || program === TOKEN_2022 ? token(ix, program, where)
      : program === ATA ? ata(ix, where)
      : reject("program_not_allowed", `${where} calls program ${program}, which a pool wallet never signs for`)
    if (verdict) return verdict
  }

  function computeBudget(ix: TransactionInstruction, where: string): Verdict | undefined {
    const d = ix.data
    if (d[0] === 2 && d.length === 5) {
      if (cuLimit !== undefined) return reject("compute_budget_instruction_forbidden", `${where} sets the compute-unit limit twice`)
      cuLimit = u32(d, 1)
      return undefined
    }
    if (d[0] === 3 && d.length === 9) {
      if (cuPrice !== undefined) return reject("compute_budget_instruction_forbidden", `${where} sets the compute-unit price twice`)
      cuPrice = u64(d, 1)
      if (cuPrice > BigInt(input.computeUnitPriceCap)) return reject("cu_price_above_cap", `${where} sets a compute-unit price of ${cuPrice} micro-lamports, above the cap of ${input.computeUnitPriceCap}`)
      return undefined
    }
    return reject("compute_budget_instruction_forbidden", `${where} is a compute-budget instruction other than a unit limit or price`)
  }

  function system(ix: TransactionInstruction, where: string): Verdict | undefined {
    const d = ix.data
    if (d.length !== 12 || u32(d, 0) !== 2n || ix.keys.length !== 2) {
      return reject("system_instruction_forbidden", `${where} is a System instruction other than a transfer (only transfers from the pool wallet are signed)`)
    }
    const from = b58(ix.keys[0]!.pubkey)
    const to = b58(ix.keys[1]!.pubkey)
    if (from !== input.payer) return reject("system_instruction_forbidden", `${where} transfers lamports from ${from}, not from the pool wallet`)
    if (!recipients.has(to)) return reject("unknown_recipient", `${where} sends lamports to ${to}, which is not the agent owner or the fee wallet`)
    transferLamports += u64(d, 4)
    return undefined
  }

  function token(ix: TransactionInstruction, program: string, where: string): Verdict | undefined {
    const d = ix.data
    let source: string, dest: string, authority: string
    if (d[0] === 3 && d.length === 9 && ix.keys.length === 3) {
      source = b58(ix.keys[0]!.pubkey)
      dest = b58(ix.keys[1]!.pubkey)
      authority = b58(ix.keys[2]!.pubkey)
    } else if (d[0] === 12 && d.length === 10 && ix.keys.length === 4) {
      source = b58(ix.keys[0]!.pubkey)
      const ixMint = b58(ix.keys[1]!.pubkey)
      dest = b58(ix.keys[2]!.pubkey)
      authority = b58(ix.keys[3]!.pubkey)
      if (ixMint !== input.quote.mint) return reject("foreign_mint", `${where} transfers mint ${ixMint}, not the quoted ${input.quote.token} mint`)
      if (d[9] !== input.quote.decimals) return reject("foreign_mint", `${where} states ${d[9]} decimals, the quoted mint has ${input.quote.decimals}`)
    } else {
      return reject("token_instruction_forbidden", `${where} is a token instruction other than Transfer/TransferChecked (e.g. Approve, SetAuthority, CloseAccount, Burn) or has extra signers`)
    }
    if (authority !== input.payer) return reject("token_authority_not_payer", `${where} moves tokens under authority ${authority}, not the pool wallet`)
    if (source !== payerAta.get(program)) return reject("token_source_not_payer_ata", `${where} moves tokens from ${source}, not the pool wallet's ${input.quote.token} account`)
    if (!allowedDestinations.get(program)!.has(dest)) return reject("unknown_recipient", `${where} sends tokens to ${dest}, which is not the agent owner's or the fee wallet's account`)
    tokenBase += u64(d, 1)
    return undefined
  }

  function ata(ix: TransactionInstruction, where: string): Verdict | undefined {
    const d = ix.data
    if (!(d.length === 0 || (d.length === 1 && (d[0] === 0 || d[0] === 1))) || ix.keys.length < 6) {
      return reject("ata_instruction_forbidden", `${where} is an associated-token instruction other than create`)
    }
    const [funder, account, owner, ixMint, , tokenProgram] = ix.keys.map((k) => b58(k.pubkey))
    if (funder !== input.payer) return reject("ata_instruction_forbidden", `${where} creates an account funded by ${funder}, not the pool wallet`)
    if (ixMint !== input.quote.mint) return reject("foreign_mint", `${where} creates an account for mint ${ixMint}, not the quoted ${input.quote.token} mint`)
    const rent = ATA_RENT_LAMPORTS[tokenProgram!]
    if (rent === undefined) return reject("ata_instruction_forbidden", `${where} names token program ${tokenProgram}`)
    if (!recipients.has(owner!)) return reject("unknown_recipient", `${where} creates a token account for ${owner}, which is not the agent owner or the fee wallet`)
    if (ataOf(new PublicKey(owner!), new PublicKey(tokenProgram!)) !== account) return reject("ata_instruction_forbidden", `${where} creates ${account}, which is not ${owner}'s associated token account`)
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
  return { ok: true, outflow }
}

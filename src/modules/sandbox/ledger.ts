// Balances of the sandbox chain: lamports per address and sandbox-USDC token
// accounts, plus the slot counter, blockhashes and signature statuses.
// Functions are synchronous so callers can compose them inside one
// bun:sqlite transaction (a balance move is all or nothing).
import type { Database } from "bun:sqlite"
import { PublicKey } from "@solana/web3.js"
import bs58 from "bs58"
import { createHash } from "node:crypto"
import { sandboxUsdcAta, sandboxUsdcMint } from "./identities"

export type TokenAccountRow = { readonly address: string; readonly owner: string; readonly mint: string; readonly amount: number }

export type Move =
  /** `to: null` burns the lamports (the network fee, which leaves the ledger). */
  | { readonly kind: "sol"; readonly from: string; readonly to: string | null; readonly lamports: number }
  | { readonly kind: "usdc"; readonly fromOwner: string; readonly toOwner: string; readonly amount: number }

/** Thrown inside a ledger transaction to roll it back: some debit has no funds behind it. */
export class LedgerShortfall extends Error {
  constructor(readonly account: string) {
    super(`insufficient funds in ${account}`)
  }
}

export const solBalance = (db: Database, address: string): number | undefined =>
  db.query<{ lamports: number }, [string]>("select lamports from sol_accounts where address = ?").get(address)?.lamports

export const creditSol = (db: Database, address: string, lamports: number): void => {
  db.query("insert into sol_accounts (address, lamports) values (?1, ?2) on conflict (address) do update set lamports = lamports + ?2").run(address, lamports)
}

const debitSol = (db: Database, address: string, lamports: number): void => {
  const changed = db.query("update sol_accounts set lamports = lamports - ?2 where address = ?1 and lamports >= ?2").run(address, lamports).changes
  if (changed !== 1) throw new LedgerShortfall(address)
}

export const tokenAccount = (db: Database, address: string): TokenAccountRow | undefined =>
  db.query<TokenAccountRow, [string]>("select address, owner, mint, amount from token_accounts where address = ?").get(address) ?? undefined

export const tokenAccountsByOwner = (db: Database, owner: string): ReadonlyArray<TokenAccountRow> =>
  db.query<TokenAccountRow, [string]>("select address, owner, mint, amount from token_accounts where owner = ? order by address").all(owner)

/** Opens the owner's sandbox-USDC associated token account if missing; returns its address. */
export const ensureUsdcAccount = (db: Database, owner: string): string => {
  const address = sandboxUsdcAta(new PublicKey(owner)).toBase58()
  db.query("insert into token_accounts (address, owner, mint, amount) values (?, ?, ?, 0) on conflict (address) do nothing").run(address, owner, sandboxUsdcMint.toBase58())
  return address
}

export const creditUsdc = (db: Database, owner: string, amount: number): string => {
  const address = ensureUsdcAccount(db, owner)
  db.query("update token_accounts set amount = amount + ? where address = ?").run(amount, address)
  return address
}

const debitUsdc = (db: Database, owner: string, amount: number): void => {
  const address = sandboxUsdcAta(new PublicKey(owner)).toBase58()
  const changed = db.query("update token_accounts set amount = amount - ?2 where address = ?1 and amount >= ?2").run(address, amount).changes
  if (changed !== 1) throw new LedgerShortfall(address)
}

export const usdcSupply = (db: Database): number =>
  db.query<{ total: number | null }, [string]>("select sum(amount) as total from token_accounts where mint = ?").get(sandboxUsdcMint.toBase58())?.total ?? 0

/** Applies moves; throws LedgerShortfall (call inside a transaction so nothing sticks). */
export const applyMoves = (db: Database, moves: ReadonlyArray<Move>): void => {
  for (const m of moves) {
    if (m.kind === "sol") {
      debitSol(db, m.from, m.lamports)
      if (m.to !== null) creditSol(db, m.to, m.lamports)
    } else {
      debitUsdc(db, m.fromOwner, m.amount)
      creditUsdc(db, m.toOwner, m.amount)
    }
  }
}

export const currentSlot = (db: Database): number =>
  db.query<{ value: number }, [string]>("select value from meta where key = ?").get("slot")?.value ?? 1

/** A mainnet slot's length, ms. */
export const SLOT_MS = 400

/** Advances the slot by one and returns the new slot: one per settled transaction, and one per SLOT_MS (slotAt). */
export const nextSlot = (db: Database, now: number): number => {
  db.query("insert into meta (key, value) values ('slot', 2) on conflict (key) do update set value = value + 1").run()
  db.query("insert into meta (key, value) values ('slot_at', ?1) on conflict (key) do update set value = ?1").run(now)
  return currentSlot(db)
}

/**
 * The slot as of `now`. A chain's blockhash moves on with time, not only with
 * transactions: without this, payments claimed but never sent (a crash) would
 * leave every new build under the same blockhash, the same message again.
 */
export const slotAt = (db: Database, now: number): number => {
  const at = db.query<{ value: number }, [string]>("select value from meta where key = ?").get("slot_at")?.value
  return at === undefined || now - at >= SLOT_MS ? nextSlot(db, now) : currentSlot(db)
}

/** Deterministic blockhash of a slot (32 bytes, base58), like a real one in form. */
export const blockhashOf = (slot: number): string => bs58.encode(createHash("sha256").update(`tdk-sandbox:blockhash:${slot}`).digest())

/** Slots a blockhash stays valid for, as on mainnet. */
export const BLOCKHASH_VALID_SLOTS = 150

export const recordSignature = (db: Database, signature: string, slot: number, err: string | null, now: number): void => {
  db.query("insert into signatures (signature, slot, err, created_at) values (?, ?, ?, ?) on conflict (signature) do nothing").run(signature, slot, err, now)
}

export const signatureStatus = (db: Database, signature: string): { slot: number; err: string | null } | undefined =>
  db.query<{ slot: number; err: string | null }, [string]>("select slot, err from signatures where signature = ?").get(signature) ?? undefined

// Balances of the sandbox chain: lamports per address and sandbox-USDC token
// accounts, plus the slot counter, blockhashes and signature statuses. Each
// function is one or two statements over a SandboxSql, so callers compose
// them inside one store transaction (a balance move is all or nothing).
import { PublicKey } from "@solana/web3.js"
import bs58 from "bs58"
import { sql } from "drizzle-orm"
import { Data, Effect } from "effect"
import { createHash } from "node:crypto"
import { sandboxUsdcAta, sandboxUsdcMint } from "./identities"
import { int, type SandboxSql } from "./store/sql"

export type TokenAccountRow = { readonly address: string; readonly owner: string; readonly mint: string; readonly amount: number }

export type Move =
  /** `to: null` burns the lamports (the network fee, which leaves the ledger). */
  | { readonly kind: "sol"; readonly from: string; readonly to: string | null; readonly lamports: number }
  | { readonly kind: "usdc"; readonly fromOwner: string; readonly toOwner: string; readonly amount: number }

/** Fails a ledger transaction (so it rolls back): some debit has no funds behind it. */
export class LedgerShortfall extends Data.TaggedError("LedgerShortfall")<{ readonly account: string }> {}

export const solBalance = (db: SandboxSql, address: string): Effect.Effect<number | undefined> =>
  db
    .rows<{ lamports: unknown }>(sql`select lamports from sandbox.sol_accounts where address = ${address}`)
    .pipe(Effect.map((rows) => (rows[0] === undefined ? undefined : int(rows[0].lamports))))

export const creditSol = (db: SandboxSql, address: string, lamports: number): Effect.Effect<void> =>
  Effect.asVoid(
    db.rows(sql`insert into sandbox.sol_accounts as a (address, lamports) values (${address}, ${lamports})
      on conflict (address) do update set lamports = a.lamports + excluded.lamports returning 1`),
  )

/** Gives `address` lamports only if it has no account yet (concurrent starts seed once). */
export const openSol = (db: SandboxSql, address: string, lamports: number): Effect.Effect<void> =>
  Effect.asVoid(db.rows(sql`insert into sandbox.sol_accounts (address, lamports) values (${address}, ${lamports}) on conflict (address) do nothing returning 1`))

// The guard is in the statement: two debits racing on one balance cannot both pass a check made before either.
const debitSol = (db: SandboxSql, address: string, lamports: number): Effect.Effect<void, LedgerShortfall> =>
  db
    .rows(sql`update sandbox.sol_accounts set lamports = lamports - ${lamports} where address = ${address} and lamports >= ${lamports} returning 1`)
    .pipe(Effect.flatMap((rows) => (rows.length === 1 ? Effect.void : Effect.fail(new LedgerShortfall({ account: address })))))

type RawTokenAccount = { address: string; owner: string; mint: string; amount: unknown }
const toTokenAccount = (r: RawTokenAccount): TokenAccountRow => ({ address: r.address, owner: r.owner, mint: r.mint, amount: int(r.amount) })

export const tokenAccount = (db: SandboxSql, address: string): Effect.Effect<TokenAccountRow | undefined> =>
  db
    .rows<RawTokenAccount>(sql`select address, owner, mint, amount from sandbox.token_accounts where address = ${address}`)
    .pipe(Effect.map((rows) => (rows[0] === undefined ? undefined : toTokenAccount(rows[0]))))

export const tokenAccountsByOwner = (db: SandboxSql, owner: string): Effect.Effect<ReadonlyArray<TokenAccountRow>> =>
  db
    .rows<RawTokenAccount>(sql`select address, owner, mint, amount from sandbox.token_accounts where owner = ${owner} order by address`)
    .pipe(Effect.map((rows) => rows.map(toTokenAccount)))

/** Opens the owner's sandbox-USDC associated token account if missing; returns its address. */
export const ensureUsdcAccount = (db: SandboxSql, owner: string): Effect.Effect<string> => {
  const address = sandboxUsdcAta(new PublicKey(owner)).toBase58()
  return db
    .rows(sql`insert into sandbox.token_accounts (address, owner, mint, amount) values (${address}, ${owner}, ${sandboxUsdcMint.toBase58()}, 0) on conflict (address) do nothing returning 1`)
    .pipe(Effect.as(address))
}

export const creditUsdc = (db: SandboxSql, owner: string, amount: number): Effect.Effect<string> =>
  Effect.gen(function* () {
    const address = yield* ensureUsdcAccount(db, owner)
    yield* db.rows(sql`update sandbox.token_accounts set amount = amount + ${amount} where address = ${address} returning 1`)
    return address
  })

const debitUsdc = (db: SandboxSql, owner: string, amount: number): Effect.Effect<void, LedgerShortfall> => {
  const address = sandboxUsdcAta(new PublicKey(owner)).toBase58()
  return db
    .rows(sql`update sandbox.token_accounts set amount = amount - ${amount} where address = ${address} and amount >= ${amount} returning 1`)
    .pipe(Effect.flatMap((rows) => (rows.length === 1 ? Effect.void : Effect.fail(new LedgerShortfall({ account: address })))))
}

export const usdcSupply = (db: SandboxSql): Effect.Effect<number> =>
  db
    .rows<{ total: unknown }>(sql`select coalesce(sum(amount), 0) as total from sandbox.token_accounts where mint = ${sandboxUsdcMint.toBase58()}`)
    .pipe(Effect.map((rows) => int(rows[0]?.total ?? 0)))

/** Applies moves in order; fails with LedgerShortfall (run inside a transaction so nothing sticks). */
export const applyMoves = (db: SandboxSql, moves: ReadonlyArray<Move>): Effect.Effect<void, LedgerShortfall> =>
  Effect.forEach(
    moves,
    (m) =>
      m.kind === "sol"
        ? Effect.andThen(debitSol(db, m.from, m.lamports), m.to === null ? Effect.void : creditSol(db, m.to, m.lamports))
        : Effect.andThen(debitUsdc(db, m.fromOwner, m.amount), creditUsdc(db, m.toOwner, m.amount)),
    { discard: true },
  )

const metaValue = (db: SandboxSql, key: string): Effect.Effect<number | undefined> =>
  db
    .rows<{ value: unknown }>(sql`select value from sandbox.meta where key = ${key}`)
    .pipe(Effect.map((rows) => (rows[0] === undefined ? undefined : int(rows[0].value))))

export const currentSlot = (db: SandboxSql): Effect.Effect<number> => metaValue(db, "slot").pipe(Effect.map((slot) => slot ?? 1))

/** A mainnet slot's length, ms. */
export const SLOT_MS = 400

/**
 * Advances the slot by one and returns the new slot: one per settled
 * transaction, and one per SLOT_MS (slotAt). One upsert reads and moves the
 * counter, so two instances never take the same slot.
 */
export const nextSlot = (db: SandboxSql, now: number): Effect.Effect<number> =>
  Effect.gen(function* () {
    const rows = yield* db.rows<{ value: unknown }>(
      sql`insert into sandbox.meta as m (key, value) values ('slot', 2) on conflict (key) do update set value = m.value + 1 returning value`,
    )
    yield* db.rows(sql`insert into sandbox.meta (key, value) values ('slot_at', ${now}) on conflict (key) do update set value = excluded.value returning 1`)
    return int(rows[0]!.value)
  })

/**
 * The slot as of `now`. A chain's blockhash moves on with time, not only with
 * transactions: without this, payments claimed but never sent (a crash) would
 * leave every new build under the same blockhash, the same message again.
 */
export const slotAt = (db: SandboxSql, now: number): Effect.Effect<number> =>
  Effect.gen(function* () {
    const at = yield* metaValue(db, "slot_at")
    return at === undefined || now - at >= SLOT_MS ? yield* nextSlot(db, now) : yield* currentSlot(db)
  })

/** Deterministic blockhash of a slot (32 bytes, base58), like a real one in form. */
export const blockhashOf = (slot: number): string => bs58.encode(createHash("sha256").update(`tdk-sandbox:blockhash:${slot}`).digest())

/** Slots a blockhash stays valid for, as on mainnet. */
export const BLOCKHASH_VALID_SLOTS = 150

/**
 * Records a processed signature; false when it was recorded already. Inside a
 * payment's transaction this insert is the arbiter of "processed once": the
 * primary key decides, even between instances racing on one signature.
 */
export const recordSignature = (db: SandboxSql, signature: string, slot: number, err: string | null, now: number): Effect.Effect<boolean> =>
  db
    .rows(sql`insert into sandbox.signatures (signature, slot, err, created_at) values (${signature}, ${slot}, ${err}, ${now}) on conflict (signature) do nothing returning 1`)
    .pipe(Effect.map((rows) => rows.length === 1))

export const signatureStatus = (db: SandboxSql, signature: string): Effect.Effect<{ slot: number; err: string | null } | undefined> =>
  db
    .rows<{ slot: unknown; err: string | null }>(sql`select slot, err from sandbox.signatures where signature = ${signature}`)
    .pipe(Effect.map((rows) => (rows[0] === undefined ? undefined : { slot: int(rows[0].slot), err: rows[0].err })))

// Payment intents and receipts rows of the sandbox database.
import { sql } from "drizzle-orm"
import { Effect } from "effect"
import type { TokenSymbol } from "../marketplace/protocol"
import { int, type SandboxSql } from "./store/sql"
import type { ReceiptRow } from "./wire"

export type IntentStatus = "open" | "paid" | "completed" | "refunded"

export type IntentRow = {
  readonly id: string
  readonly agent_id: string
  readonly payer: string
  readonly token: TokenSymbol
  readonly amount_base: number
  readonly owner_amount: number
  readonly fee_amount: number
  readonly input_json: string
  readonly input_hash: string
  readonly message_b64: string
  readonly calling_agent_id: string | null
  readonly created_at: number
  readonly expires_at: number
  readonly status: IntentStatus
  readonly tx_signature: string | null
}

export const insertIntent = (db: SandboxSql, r: IntentRow): Effect.Effect<void> =>
  Effect.asVoid(
    db.rows(sql`insert into sandbox.intents (id, agent_id, payer, token, amount_base, owner_amount, fee_amount, input_json, input_hash, message_b64, calling_agent_id, created_at, expires_at, status, tx_signature)
      values (${r.id}, ${r.agent_id}, ${r.payer}, ${r.token}, ${r.amount_base}, ${r.owner_amount}, ${r.fee_amount}, ${r.input_json}, ${r.input_hash}, ${r.message_b64}, ${r.calling_agent_id}, ${r.created_at}, ${r.expires_at}, ${r.status}, ${r.tx_signature})
      returning 1`),
  )

type Raw<Row, K extends keyof Row> = Omit<Row, K> & { readonly [P in K]: unknown }

const toIntent = (r: Raw<IntentRow, "amount_base" | "owner_amount" | "fee_amount" | "created_at" | "expires_at">): IntentRow => ({
  ...r,
  amount_base: int(r.amount_base),
  owner_amount: int(r.owner_amount),
  fee_amount: int(r.fee_amount),
  created_at: int(r.created_at),
  expires_at: int(r.expires_at),
})

export const findIntent = (db: SandboxSql, id: string): Effect.Effect<IntentRow | undefined> =>
  db
    .rows<Raw<IntentRow, "amount_base" | "owner_amount" | "fee_amount" | "created_at" | "expires_at">>(sql`select * from sandbox.intents where id = ${id}`)
    .pipe(Effect.map((rows) => (rows[0] === undefined ? undefined : toIntent(rows[0]))))

/** Moves an intent from one status to another; false when it was not in `from` (someone else won). */
export const moveIntent = (db: SandboxSql, id: string, from: IntentStatus, to: IntentStatus, txSignature?: string): Effect.Effect<boolean> =>
  db
    .rows(sql`update sandbox.intents set status = ${to}, tx_signature = coalesce(${txSignature ?? null}, tx_signature) where id = ${id} and status = ${from} returning 1`)
    .pipe(Effect.map((rows) => rows.length === 1))

export const insertReceipt = (db: SandboxSql, r: ReceiptRow): Effect.Effect<void> =>
  Effect.asVoid(
    db.rows(sql`insert into sandbox.receipts (id, intent_id, agent_id, caller_wallet, payout_wallet, token, amount_base, protocol_fee, input_hash, output_hash, output_json, tx_signature, verified_at)
      values (${r.id}, ${r.intent_id}, ${r.agent_id}, ${r.caller_wallet}, ${r.payout_wallet}, ${r.token}, ${r.amount_base}, ${r.protocol_fee}, ${r.input_hash}, ${r.output_hash}, ${r.output_json}, ${r.tx_signature}, ${r.verified_at})
      returning 1`),
  )

export const findReceipt = (db: SandboxSql, id: string): Effect.Effect<ReceiptRow | undefined> =>
  db
    .rows<Raw<ReceiptRow, "amount_base" | "protocol_fee" | "verified_at">>(sql`select * from sandbox.receipts where id = ${id}`)
    .pipe(Effect.map((rows) => (rows[0] === undefined ? undefined : { ...rows[0], amount_base: int(rows[0].amount_base), protocol_fee: int(rows[0].protocol_fee), verified_at: int(rows[0].verified_at) })))

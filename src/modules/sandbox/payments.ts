// Payment intents and receipts rows of the sandbox database.
import type { Database } from "bun:sqlite"
import type { TokenSymbol } from "../marketplace/protocol"
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

export const insertIntent = (db: Database, row: IntentRow): void => {
  db.query(
    `insert into intents (id, agent_id, payer, token, amount_base, owner_amount, fee_amount, input_json, input_hash, message_b64, calling_agent_id, created_at, expires_at, status, tx_signature)
     values ($id, $agent_id, $payer, $token, $amount_base, $owner_amount, $fee_amount, $input_json, $input_hash, $message_b64, $calling_agent_id, $created_at, $expires_at, $status, $tx_signature)`,
  ).run(row)
}

export const findIntent = (db: Database, id: string): IntentRow | undefined =>
  db.query<IntentRow, [string]>("select * from intents where id = ?").get(id) ?? undefined

/** Moves an intent from one status to another; false when it was not in `from` (someone else won). */
export const moveIntent = (db: Database, id: string, from: IntentStatus, to: IntentStatus, txSignature?: string): boolean =>
  db.query("update intents set status = ?3, tx_signature = coalesce(?4, tx_signature) where id = ?1 and status = ?2").run(id, from, to, txSignature ?? null).changes === 1

export const insertReceipt = (db: Database, row: ReceiptRow): void => {
  db.query(
    `insert into receipts (id, intent_id, agent_id, caller_wallet, payout_wallet, token, amount_base, protocol_fee, input_hash, output_hash, output_json, tx_signature, verified_at)
     values ($id, $intent_id, $agent_id, $caller_wallet, $payout_wallet, $token, $amount_base, $protocol_fee, $input_hash, $output_hash, $output_json, $tx_signature, $verified_at)`,
  ).run(row)
}

export const findReceipt = (db: Database, id: string): ReceiptRow | undefined =>
  db.query<ReceiptRow, [string]>("select * from receipts where id = ?").get(id) ?? undefined

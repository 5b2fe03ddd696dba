// The sandbox ledger's own SQLite file, apart from the gateway's database so
// that the sandbox can be dropped without touching real data. Schema is
// created in place: the sandbox has no migrations to keep, beyond moving
// storage data written before it was keyed by the caller wallet too.
import { Database } from "bun:sqlite"
import { mkdirSync } from "node:fs"
import type { Config } from "../../platform/config/config"
import { adoptLegacyNamespaces } from "./agent-data"

/** `:memory:` when the gateway's own database is in memory (tests), else a file in DATA_DIR. */
export const sandboxDbPath = (config: Config): string =>
  config.database.dialect === "sqlite" && config.database.path === ":memory:" ? ":memory:" : `${config.dataDir}/sandbox.db`

const schema = [
  `create table if not exists sol_accounts (address text primary key, lamports integer not null check (lamports >= 0))`,
  `create table if not exists token_accounts (address text primary key, owner text not null, mint text not null, amount integer not null check (amount >= 0))`,
  `create index if not exists token_accounts_owner on token_accounts (owner)`,
  `create table if not exists meta (key text primary key, value integer not null)`,
  `create table if not exists signatures (signature text primary key, slot integer not null, err text, created_at integer not null)`,
  `create table if not exists intents (
    id text primary key, agent_id text not null, payer text not null, token text not null,
    amount_base integer not null, owner_amount integer not null, fee_amount integer not null,
    input_json text not null, input_hash text not null, message_b64 text not null,
    calling_agent_id text, created_at integer not null, expires_at integer not null,
    status text not null, tx_signature text)`,
  `create table if not exists receipts (
    id text primary key, intent_id text not null unique, agent_id text not null,
    caller_wallet text not null, payout_wallet text not null, token text not null,
    amount_base integer not null, protocol_fee integer not null, input_hash text not null,
    output_hash text not null, output_json text not null, tx_signature text not null, verified_at integer not null)`,
  `create table if not exists agent_data (
    agent_id text not null, namespace text not null, key text not null, value text not null,
    updated_at integer not null, primary key (agent_id, namespace, key))`,
]

export const openSandboxDb = (path: string): Database => {
  if (path !== ":memory:") mkdirSync(path.slice(0, Math.max(path.lastIndexOf("/"), 0)) || ".", { recursive: true })
  const db = new Database(path, { create: true, strict: true })
  db.exec("PRAGMA journal_mode = WAL")
  db.exec("PRAGMA busy_timeout = 5000")
  for (const statement of schema) db.exec(statement)
  adoptLegacyNamespaces(db)
  return db
}

// The sandbox's tables, created in place at start-up: the sandbox is a
// stand-in for external systems, can be dropped at any time and keeps no
// migrations. One list for both dialects: Postgres keeps amounts and times
// (ms) as bigint, and orders keys byte-wise ("C") as SQLite does, so listing
// pages and cursors agree on both.

type Dialect = { readonly int: string; readonly key: string; readonly index: (name: string, table: string, column: string) => string }

const tables = ({ int, key, index }: Dialect): ReadonlyArray<string> => [
  `create table if not exists sandbox.sol_accounts (address text${key} primary key, lamports ${int} not null check (lamports >= 0))`,
  `create table if not exists sandbox.token_accounts (address text${key} primary key, owner text not null, mint text not null, amount ${int} not null check (amount >= 0))`,
  index("token_accounts_owner", "token_accounts", "owner"),
  `create table if not exists sandbox.meta (key text primary key, value ${int} not null)`,
  `create table if not exists sandbox.signatures (signature text primary key, slot ${int} not null, err text, created_at ${int} not null)`,
  `create table if not exists sandbox.intents (
    id text primary key, agent_id text not null, payer text not null, token text not null,
    amount_base ${int} not null, owner_amount ${int} not null, fee_amount ${int} not null,
    input_json text not null, input_hash text not null, message_b64 text not null,
    calling_agent_id text, created_at ${int} not null, expires_at ${int} not null,
    status text not null, tx_signature text)`,
  `create table if not exists sandbox.receipts (
    id text primary key, intent_id text not null unique, agent_id text not null,
    caller_wallet text not null, payout_wallet text not null, token text not null,
    amount_base ${int} not null, protocol_fee ${int} not null, input_hash text not null,
    output_hash text not null, output_json text not null, tx_signature text not null, verified_at ${int} not null)`,
  `create table if not exists sandbox.agent_data (
    agent_id text not null, namespace text${key} not null, key text${key} not null, value text not null,
    updated_at ${int} not null, primary key (agent_id, namespace, key))`,
]

// SQLite names an attached database's index on the index, Postgres's schema on the table.
export const sqliteSchema = tables({ int: "integer", key: "", index: (name, table, column) => `create index if not exists sandbox.${name} on ${table} (${column})` })

export const pgSchema: ReadonlyArray<string> = [
  `create schema if not exists sandbox`,
  ...tables({ int: "bigint", key: ` collate "C"`, index: (name, table, column) => `create index if not exists ${name} on sandbox.${table} (${column})` }),
]

// The sandbox's tables, created in place at start-up: the sandbox is a
// stand-in for external systems, can be dropped at any time and keeps no
// migrations. The two lists hold the same tables; Postgres keeps amounts and
// times (ms) as bigint, and orders keys byte-wise ("C") as SQLite does, so
// listing pages and cursors agree on both.

export const sqliteSchema: ReadonlyArray<string> = [
  `create table if not exists sandbox.sol_accounts (address text primary key, lamports integer not null check (lamports >= 0))`,
  `create table if not exists sandbox.token_accounts (address text primary key, owner text not null, mint text not null, amount integer not null check (amount >= 0))`,
  `create index if not exists sandbox.token_accounts_owner on token_accounts (owner)`,
  `create table if not exists sandbox.meta (key text primary key, value integer not null)`,
  `create table if not exists sandbox.signatures (signature text primary key, slot integer not null, err text, created_at integer not null)`,
  `create table if not exists sandbox.intents (
    id text primary key, agent_id text not null, payer text not null, token text not null,
    amount_base integer not null, owner_amount integer not null, fee_amount integer not null,
    input_json text not null, input_hash text not null, message_b64 text not null,
    calling_agent_id text, created_at integer not null, expires_at integer not null,
    status text not null, tx_signature text)`,
  `create table if not exists sandbox.receipts (
    id text primary key, intent_id text not null unique, agent_id text not null,
    caller_wallet text not null, payout_wallet text not null, token text not null,
    amount_base integer not null, protocol_fee integer not null, input_hash text not null,
    output_hash text not null, output_json text not null, tx_signature text not null, verified_at integer not null)`,
  `create table if not exists sandbox.agent_data (
    agent_id text not null, namespace text not null, key text not null, value text not null,
    updated_at integer not null, primary key (agent_id, namespace, key))`,
]

export const pgSchema: ReadonlyArray<string> = [
  `create schema if not exists sandbox`,
  `create table if not exists sandbox.sol_accounts (address text collate "C" primary key, lamports bigint not null check (lamports >= 0))`,
  `create table if not exists sandbox.token_accounts (address text collate "C" primary key, owner text not null, mint text not null, amount bigint not null check (amount >= 0))`,
  `create index if not exists token_accounts_owner on sandbox.token_accounts (owner)`,
  `create table if not exists sandbox.meta (key text primary key, value bigint not null)`,
  `create table if not exists sandbox.signatures (signature text primary key, slot bigint not null, err text, created_at bigint not null)`,
  `create table if not exists sandbox.intents (
    id text primary key, agent_id text not null, payer text not null, token text not null,
    amount_base bigint not null, owner_amount bigint not null, fee_amount bigint not null,
    input_json text not null, input_hash text not null, message_b64 text not null,
    calling_agent_id text, created_at bigint not null, expires_at bigint not null,
    status text not null, tx_signature text)`,
  `create table if not exists sandbox.receipts (
    id text primary key, intent_id text not null unique, agent_id text not null,
    caller_wallet text not null, payout_wallet text not null, token text not null,
    amount_base bigint not null, protocol_fee bigint not null, input_hash text not null,
    output_hash text not null, output_json text not null, tx_signature text not null, verified_at bigint not null)`,
  `create table if not exists sandbox.agent_data (
    agent_id text not null, namespace text collate "C" not null, key text collate "C" not null, value text not null,
    updated_at bigint not null, primary key (agent_id, namespace, key))`,
]

// Key-value rows the storage agents keep, per agent and namespace, in the
// sandbox database. As the real storage agents are described, data is keyed by
// the paying wallet and the target wallet: `{caller_wallet}:{input.wallet}`
// when input.wallet is given, else the caller wallet alone. Naming another
// namespace therefore reaches only the caller's own copy of it: a known
// namespace is useless from another wallet. A wallet address holds no ':', so
// one caller's namespaces never collide with another's. Data stored before
// this keying moves on open (store/legacy.ts).
import { sql } from "drizzle-orm"
import { Effect } from "effect"
import { int, type SandboxSql } from "./store/sql"

/** Where a call's data lives: the paying wallet, and the target wallet it named if any. */
export const dataNamespace = (callerWallet: string, targetWallet: unknown): string =>
  typeof targetWallet === "string" ? `${callerWallet}:${targetWallet}` : callerWallet

export type DataRow = { readonly key: string; readonly value: string; readonly updated_at: number }

type Raw = { key: string; value: string; updated_at: unknown }

const toRows = (rows: ReadonlyArray<Raw>): ReadonlyArray<DataRow> => rows.map((r) => ({ key: r.key, value: r.value, updated_at: int(r.updated_at) }))

export const putData = (db: SandboxSql, agentId: string, namespace: string, key: string, value: string, now: number): Effect.Effect<void> =>
  Effect.asVoid(
    db.rows(sql`insert into sandbox.agent_data (agent_id, namespace, key, value, updated_at) values (${agentId}, ${namespace}, ${key}, ${value}, ${now})
      on conflict (agent_id, namespace, key) do update set value = excluded.value, updated_at = excluded.updated_at returning 1`),
  )

export const getData = (db: SandboxSql, agentId: string, namespace: string, key: string): Effect.Effect<DataRow | undefined> =>
  db
    .rows<Raw>(sql`select key, value, updated_at from sandbox.agent_data where agent_id = ${agentId} and namespace = ${namespace} and key = ${key}`)
    .pipe(Effect.map((rows) => toRows(rows)[0]))

export const deleteData = (db: SandboxSql, agentId: string, namespace: string, key: string): Effect.Effect<boolean> =>
  db
    .rows(sql`delete from sandbox.agent_data where agent_id = ${agentId} and namespace = ${namespace} and key = ${key} returning 1`)
    .pipe(Effect.map((rows) => rows.length === 1))

/** Rows whose key starts with `prefix`, in key order, after `cursor` (exclusive). */
export const listData = (db: SandboxSql, agentId: string, namespace: string, prefix: string, after: string, limit: number): Effect.Effect<ReadonlyArray<DataRow>> =>
  db
    .rows<Raw>(
      sql`select key, value, updated_at from sandbox.agent_data
        where agent_id = ${agentId} and namespace = ${namespace} and substr(key, 1, length(cast(${prefix} as text))) = cast(${prefix} as text) and key > cast(${after} as text)
        order by key limit ${limit}`,
    )
    .pipe(Effect.map(toRows))

export const allData = (db: SandboxSql, agentId: string, namespace: string): Effect.Effect<ReadonlyArray<DataRow>> =>
  db
    .rows<Raw>(sql`select key, value, updated_at from sandbox.agent_data where agent_id = ${agentId} and namespace = ${namespace} order by key`)
    .pipe(Effect.map(toRows))

/** How many rows a namespace holds (a list page's `count`). */
export const countData = (db: SandboxSql, agentId: string, namespace: string): Effect.Effect<number> =>
  db
    .rows<{ n: unknown }>(sql`select count(*) as n from sandbox.agent_data where agent_id = ${agentId} and namespace = ${namespace}`)
    .pipe(Effect.map((rows) => int(rows[0]?.n ?? 0)))

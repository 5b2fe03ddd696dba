// Key-value rows the storage agents keep, per agent and namespace (the caller
// wallet, or input.wallet when given), in the sandbox database.
import type { Database } from "bun:sqlite"

export type DataRow = { readonly key: string; readonly value: string; readonly updated_at: number }

export const putData = (db: Database, agentId: string, namespace: string, key: string, value: string, now: number): void => {
  db.query(
    "insert into agent_data (agent_id, namespace, key, value, updated_at) values (?1, ?2, ?3, ?4, ?5) on conflict (agent_id, namespace, key) do update set value = ?4, updated_at = ?5",
  ).run(agentId, namespace, key, value, now)
}

export const getData = (db: Database, agentId: string, namespace: string, key: string): DataRow | undefined =>
  db.query<DataRow, [string, string, string]>("select key, value, updated_at from agent_data where agent_id = ? and namespace = ? and key = ?").get(agentId, namespace, key) ?? undefined

export const deleteData = (db: Database, agentId: string, namespace: string, key: string): boolean =>
  db.query("delete from agent_data where agent_id = ? and namespace = ? and key = ?").run(agentId, namespace, key).changes === 1

/** Rows whose key starts with `prefix`, in key order, after `cursor` (exclusive). */
export const listData = (db: Database, agentId: string, namespace: string, prefix: string, after: string, limit: number): ReadonlyArray<DataRow> =>
  db
    .query<DataRow, [string, string, string, string, number]>(
      "select key, value, updated_at from agent_data where agent_id = ? and namespace = ? and substr(key, 1, length(?3)) = ?3 and key > ? order by key limit ?",
    )
    .all(agentId, namespace, prefix, after, limit)

export const allData = (db: Database, agentId: string, namespace: string): ReadonlyArray<DataRow> =>
  db.query<DataRow, [string, string]>("select key, value, updated_at from agent_data where agent_id = ? and namespace = ? order by key").all(agentId, namespace)

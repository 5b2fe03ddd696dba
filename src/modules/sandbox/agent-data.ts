// Key-value rows the storage agents keep, per agent and namespace, in the
// sandbox database. As the real storage agents are described, data is keyed by
// the paying wallet and the target wallet: `{caller_wallet}:{input.wallet}`
// when input.wallet is given, else the caller wallet alone. Naming another
// namespace therefore reaches only the caller's own copy of it: a known
// namespace is useless from another wallet. A wallet address holds no ':', so
// one caller's namespaces never collide with another's.
import type { Database } from "bun:sqlite"

/** Where a call's data lives: the paying wallet, and the target wallet it named if any. */
export const dataNamespace = (callerWallet: string, targetWallet: unknown): string =>
  typeof targetWallet === "string" ? `${callerWallet}:${targetWallet}` : callerWallet

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

// Before data was keyed by the caller wallet too, a namespace named by
// input.wallet held the data alone (`tdk_<key id>` for the gateway's keys).
// Such rows move, once, under the one wallet that ever stored into that
// namespace with a completed call, which for a gateway key is its pool
// wallet: the key keeps its sandbox data. A namespace two wallets stored into
// has no provable owner and stays where it was, out of everyone's reach
// (nobody names it any more). Rows a caller stored without input.wallet are
// already where they belong, so a namespace that is a paying wallet never
// moves: another wallet that named it must not take that wallet's own data.
const ADOPTED = "agent_data_by_caller"
const WRITES = "('store', 'teach', 'update')"

export const adoptLegacyNamespaces = (db: Database): void => {
  db.transaction(() => {
    if (db.query("select 1 from meta where key = ?").get(ADOPTED)) return
    db.exec(`create temp table legacy_owner as
      select agent_id, json_extract(input_json, '$.wallet') as namespace, min(payer) as payer
      from intents
      where status = 'completed' and json_extract(input_json, '$.action') in ${WRITES} and json_type(input_json, '$.wallet') = 'text'
      group by 1, 2 having count(distinct payer) = 1`)
    db.exec(`update agent_data set namespace = o.payer || ':' || o.namespace
      from legacy_owner o where o.agent_id = agent_data.agent_id and o.namespace = agent_data.namespace
        and o.namespace not in (select payer from intents)`)
    db.exec("drop table legacy_owner")
    db.query("insert into meta (key, value) values (?, 1)").run(ADOPTED)
  }).immediate()
}

// Before storage data was keyed by the caller wallet too, a namespace named by
// input.wallet held the data alone (`tdk_<key id>` for the gateway's keys).
// Such rows move, once, under the one wallet that ever stored into that
// namespace with a completed call, which for a gateway key is its pool
// wallet: the key keeps its sandbox data. A namespace two wallets stored into
// has no provable owner and stays where it was, out of everyone's reach
// (nobody names it any more). Rows a caller stored without input.wallet are
// already where they belong, so a namespace that is a paying wallet never
// moves: another wallet that named it must not take that wallet's own data.
// Only a SQLite sandbox file can hold such rows: the Postgres sandbox started
// out keyed by the caller wallet.
import type { Database } from "bun:sqlite"

const ADOPTED = "agent_data_by_caller"
const WRITES = "('store', 'teach', 'update')"

export const adoptLegacyNamespaces = (client: Database): void => {
  client.transaction(() => {
    if (client.query("select 1 from sandbox.meta where key = ?").get(ADOPTED)) return
    client.exec(`create temp table legacy_owner as
      select agent_id, json_extract(input_json, '$.wallet') as namespace, min(payer) as payer
      from sandbox.intents
      where status = 'completed' and json_extract(input_json, '$.action') in ${WRITES} and json_type(input_json, '$.wallet') = 'text'
      group by 1, 2 having count(distinct payer) = 1`)
    client.exec(`update sandbox.agent_data set namespace = o.payer || ':' || o.namespace
      from temp.legacy_owner o where o.agent_id = agent_data.agent_id and o.namespace = agent_data.namespace
        and o.namespace not in (select payer from sandbox.intents)`)
    client.exec("drop table temp.legacy_owner")
    client.query("insert into sandbox.meta (key, value) values (?, 1)").run(ADOPTED)
  }).immediate()
}

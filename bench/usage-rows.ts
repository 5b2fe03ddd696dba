// Settled, billable, unreported usage rows as the gateway's settle leaves
// them, written in bulk for the reporter benches: `count` rows spread over the
// `spanMs` before `end`, round robin over the users, 500 to a statement.
import { sql } from "drizzle-orm"
import type { DatabaseHandle } from "../src/platform/db/database"
import { newId } from "../src/platform/ids"

export type BenchUser = { readonly userId: string; readonly keyId: string }

const exec = async (h: DatabaseHandle, q: ReturnType<typeof sql>) => {
  if (h.kind === "sqlite") h.db.run(q)
  else await h.db.execute(q)
}

export const writeSettledRows = async (h: DatabaseHandle, users: ReadonlyArray<BenchUser>, count: number, seq: { n: number }, end: number, spanMs: number) => {
  const values = Array.from({ length: count }, (_, j) => {
    const at = end - spanMs + Math.floor(((j + 1) * spanMs) / count)
    const i = seq.n++
    const u = users[i % users.length]!
    const price = 1_000 + (i % 7) * 250
    return sql`(${newId("use", at)}, ${u.keyId}, ${u.userId}, 'agt_bench', 'bench', ${price}, 0, ${price}, 'wal_bench', ${`req_bench_${i}`}, 'settled', 'pending', ${at}, ${at}, 'live', ${h.kind === "sqlite" ? 1 : true})`
  })
  for (let i = 0; i < values.length; i += 500)
    await exec(h, sql`insert into usage (id, key_id, user_id, agent_id, agent_name, agent_price_micro_usd, markup_micro_usd, developer_price_micro_usd, wallet_id, request_id, state, stripe_state, created_at, settled_at, environment, billable)
      values ${sql.join(values.slice(i, i + 500), sql`, `)}`)
}

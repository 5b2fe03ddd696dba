// A worker thread for bench/reporter.ts: writes settled, billable, unreported
// usage rows at a steady rate on a connection of its own, as the settling
// calls of a busy gateway would, so their cost does not share the measured
// reporter's event loop. Posts { arrived } every tick and { done } at the end.
import { sql } from "drizzle-orm"
import { closeDatabase, openDatabase, type DatabaseHandle } from "../src/platform/db/database"
import { newId } from "../src/platform/ids"

declare const self: Worker

export type ArrivalsPlan = {
  readonly dialect: "sqlite" | "postgres"
  readonly url: string
  readonly users: ReadonlyArray<{ readonly userId: string; readonly keyId: string }>
  readonly perSecond: number
  readonly seconds: number
}

const TICK_MS = 20

const exec = async (h: DatabaseHandle, q: ReturnType<typeof sql>) => {
  if (h.kind === "sqlite") h.db.run(q)
  else await h.db.execute(q)
}

/** `count` rows spread over the `spanMs` before `end`, round robin over the users. */
const arrive = async (h: DatabaseHandle, plan: ArrivalsPlan, count: number, seq: { n: number }, end: number, spanMs: number) => {
  const values = Array.from({ length: count }, (_, j) => {
    const at = end - spanMs + Math.floor(((j + 1) * spanMs) / count)
    const i = seq.n++
    const u = plan.users[i % plan.users.length]!
    const price = 1_000 + (i % 7) * 250
    return sql`(${newId("use", at)}, ${u.keyId}, ${u.userId}, 'agt_bench', 'bench', ${price}, 0, ${price}, 'wal_bench', ${`req_bench_${i}`}, 'settled', 'pending', ${at}, ${at}, 'live', ${h.kind === "sqlite" ? 1 : true})`
  })
  for (let i = 0; i < values.length; i += 500)
    await exec(h, sql`insert into usage (id, key_id, user_id, agent_id, agent_name, agent_price_micro_usd, markup_micro_usd, developer_price_micro_usd, wallet_id, request_id, state, stripe_state, created_at, settled_at, environment, billable)
      values ${sql.join(values.slice(i, i + 500), sql`, `)}`)
}

self.onmessage = async (message: MessageEvent<ArrivalsPlan>) => {
  const plan = message.data
  const handle = plan.dialect === "sqlite" ? openDatabase({ dialect: "sqlite", path: plan.url }) : openDatabase({ dialect: "postgres", url: plan.url })
  const seq = { n: 0 }
  const started = performance.now()
  for (let tick = 0; tick * TICK_MS < plan.seconds * 1000; tick++) {
    const due = Math.round((plan.perSecond * (tick + 1) * TICK_MS) / 1000) - seq.n
    if (due > 0) await arrive(handle, plan, due, seq, Date.now(), TICK_MS)
    self.postMessage({ arrived: seq.n })
    const wait = started + (tick + 1) * TICK_MS - performance.now()
    if (wait > 0) await Bun.sleep(wait)
  }
  await closeDatabase(handle)
  self.postMessage({ arrived: seq.n, done: true, ms: performance.now() - started })
}

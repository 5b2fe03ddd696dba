// Migration 0010 over rows an older release left: the day counters of
// settled calls are built from the settled rows (per key, UTC day of the
// call's start, and agent); other rows count nothing; history gets indexes in
// its own order.
import { describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import { runMigrations } from "../../src/platform/db/migrations"
import { exec, selectAll } from "../support/billing"
import { atMigration, dialects } from "../support/db"

/** 0000 … 0009: the schema before the day counters. */
const BEFORE_0010 = 10

const lastMsOfJan = Date.parse("2026-01-31T23:59:59.999Z")
const firstMsOfFeb = Date.parse("2026-02-01T00:00:00.000Z")

for (const dialect of dialects) {
  describe(`migration 0010 over older rows (${dialect})`, () => {
    test("settled rows become day counters per key, UTC day and agent; open and failed rows count nothing", () =>
      atMigration(dialect, BEFORE_0010, async (h) => {
        const rows: ReadonlyArray<readonly [id: string, key: string, agent: string, name: string, state: string, price: number, createdAt: number]> = [
          ["use_1", "key_a", "agt_x", "X old", "settled", 1000, lastMsOfJan - 1000],
          ["use_2", "key_a", "agt_x", "X new", "settled", 2500, lastMsOfJan],
          ["use_3", "key_a", "agt_x", "X new", "settled", 4000, firstMsOfFeb],
          ["use_4", "key_a", "agt_y", "Y", "settled", 300, lastMsOfJan],
          ["use_5", "key_a", "agt_y", "Y", "failed", 300, lastMsOfJan],
          ["use_6", "key_a", "agt_y", "Y", "pending", 300, lastMsOfJan],
          ["use_7", "key_b", "agt_x", "X new", "settled", 700, lastMsOfJan],
        ]
        for (const [id, key, agent, name, state, price, createdAt] of rows) {
          await exec(h, sql`insert into usage (id, key_id, user_id, agent_id, agent_name, agent_price_micro_usd, markup_micro_usd, developer_price_micro_usd, wallet_id, request_id, state, created_at)
            values (${id}, ${key}, ${`usr_${key}`}, ${agent}, ${name}, ${price}, 0, ${price}, 'wal', ${`req_${id}`}, ${state}, ${createdAt})`)
        }
        await runMigrations(h)
        const counters = (await selectAll(h, sql`select key_id, day, agent_id, user_id, agent_name, calls, spend_micro_usd from usage_agent_days order by key_id, day, agent_id`)).map((r): Record<string, unknown> => ({
          ...r,
          calls: Number(r.calls),
          spend_micro_usd: Number(r.spend_micro_usd),
        }))
        expect(counters).toEqual([
          { key_id: "key_a", day: "2026-01-31", agent_id: "agt_x", user_id: "usr_key_a", agent_name: "X old", calls: 2, spend_micro_usd: 3500 },
          { key_id: "key_a", day: "2026-01-31", agent_id: "agt_y", user_id: "usr_key_a", agent_name: "Y", calls: 1, spend_micro_usd: 300 },
          { key_id: "key_a", day: "2026-02-01", agent_id: "agt_x", user_id: "usr_key_a", agent_name: "X new", calls: 1, spend_micro_usd: 4000 },
          { key_id: "key_b", day: "2026-01-31", agent_id: "agt_x", user_id: "usr_key_b", agent_name: "X new", calls: 1, spend_micro_usd: 700 },
        ])

        // From now on triggers keep them, whoever changes a row (an older release settling, a repair, a delete).
        await exec(h, sql`update usage set state = 'settled' where id = 'use_6'`)
        await exec(h, sql`delete from usage where id = 'use_1'`)
        await exec(h, sql`update usage set state = 'failed' where id = 'use_7'`)
        const after = await selectAll(h, sql`select key_id, day, agent_id, calls, spend_micro_usd from usage_agent_days order by key_id, day, agent_id`)
        expect(after.map((r) => [r.key_id, r.day, r.agent_id, Number(r.calls), Number(r.spend_micro_usd)])).toEqual([
          ["key_a", "2026-01-31", "agt_x", 1, 2500],
          ["key_a", "2026-01-31", "agt_y", 2, 600],
          ["key_a", "2026-02-01", "agt_x", 1, 4000],
          // A counter that drops to nothing stays as a zero; reads leave it out.
          ["key_b", "2026-01-31", "agt_x", 0, 0],
        ])
      }))
  })
}

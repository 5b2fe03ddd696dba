// The billing counters (billing_usage) follow whole statements: one UPDATE
// that moves many rows of several users and months at once, with mixed
// changes (Stripe states, settles, a month, a price), leaves every user's
// counters equal to their live settled rows. On Postgres an update is
// counted once per statement from its transition tables (migration 0019);
// SQLite's triggers count row by row. The money audit's own comparison
// (billingCounterMismatches) is the judge, and a few counters are checked by
// value so that an audit finding nothing cannot pass for one that looked.
import { describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import { exec, selectAll } from "../support/billing"
import { dialects } from "../support/db"
import { storeSuite } from "../support/store-suite"

const JAN = Date.UTC(2026, 0, 10)
const FEB = Date.UTC(2026, 1, 10)
const months = [
  { period: "2026-01", start: Date.UTC(2026, 0, 1), end: Date.UTC(2026, 1, 1) },
  { period: "2026-02", start: Date.UTC(2026, 1, 1), end: Date.UTC(2026, 2, 1) },
]

for (const dialect of dialects) {
  describe(`billing counters over many-row statements (${dialect})`, () => {
    const suite = storeSuite(dialect)
    const run = suite.run

    const mismatches = async () => (await Promise.all(months.map((m) => run((s) => s.audit.billingCounterMismatches(m))))).flat()
    const counter = async (userId: string, period: string) => {
      const [row] = await selectAll(suite.db, sql`select pending_rows, reported_rows, flagged_rows, settled_ops, settled_micro_usd from billing_usage where user_id = ${userId} and period = ${period}`)
      return row ? Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)])) : undefined
    }
    const insert = async (id: string, userId: string, state: string, stripeState: string, environment: string, price: number, createdAt: number) =>
      exec(
        suite.db,
        sql`insert into usage (id, key_id, user_id, agent_id, agent_name, agent_price_micro_usd, markup_micro_usd, developer_price_micro_usd, wallet_id, request_id, state, stripe_state, environment, created_at)
          values (${id}, ${`key_${userId}`}, ${userId}, 'agt', 'Agent', ${price}, 0, ${price}, 'wal', ${`req_${id}`}, ${state}, ${stripeState}, ${environment}, ${createdAt})`,
      )

    test("one statement moving rows of several users and months, with mixed changes, keeps every user's counters equal to their rows", async () => {
      for (let i = 0; i < 20; i++) await insert(`use_a_jan_${i}`, "usr_a", "settled", "pending", "live", 1000 + i, JAN + i)
      for (let i = 0; i < 10; i++) await insert(`use_b_jan_${i}`, "usr_b", "settled", "pending", "live", 2000 + i, JAN + i)
      for (let i = 0; i < 5; i++) await insert(`use_a_feb_${i}`, "usr_a", "settled", "pending", "live", 3000 + i, FEB + i)
      for (let i = 0; i < 3; i++) await insert(`use_b_open_${i}`, "usr_b", "pending", "none", "live", 4000 + i, JAN + i)
      for (let i = 0; i < 2; i++) await insert(`use_a_test_${i}`, "usr_a", "settled", "skipped", "test", 5000 + i, JAN + i)
      await insert("use_c_jan_0", "usr_c", "settled", "pending", "live", 6000, JAN)
      expect(await mismatches()).toEqual([])

      // A report of many rows: both users, both months, in one statement.
      await exec(suite.db, sql`update usage set stripe_state = 'reported', stripe_reported_at = ${FEB} where state = 'settled' and stripe_state = 'pending' and id <> 'use_c_jan_0'`)
      expect(await mismatches()).toEqual([])
      expect(await counter("usr_a", "2026-01")).toEqual({ pending_rows: 0, reported_rows: 20, flagged_rows: 0, settled_ops: 20, settled_micro_usd: 20_190 })
      expect(await counter("usr_a", "2026-02")).toEqual({ pending_rows: 0, reported_rows: 5, flagged_rows: 0, settled_ops: 5, settled_micro_usd: 15_010 })
      expect(await counter("usr_b", "2026-01")).toEqual({ pending_rows: 0, reported_rows: 10, flagged_rows: 0, settled_ops: 10, settled_micro_usd: 20_045 })

      // Mixed, in one statement: some reported rows flagged, the open calls
      // settled (billable), a row moved to February, another repriced, a
      // test row touched, and usr_c's row left as it is.
      await exec(
        suite.db,
        sql`update usage set
          stripe_state = case when id in ('use_a_jan_0', 'use_a_jan_1', 'use_b_jan_0') then 'flagged' when id like 'use_b_open_%' then 'pending' else stripe_state end,
          state = case when id like 'use_b_open_%' then 'settled' else state end,
          created_at = case when id = 'use_a_jan_2' then ${FEB + 100} else created_at end,
          developer_price_micro_usd = case when id = 'use_b_jan_1' then 777 else developer_price_micro_usd end,
          error = case when id = 'use_a_test_0' then 'touched' else error end
        where id in ('use_a_jan_0', 'use_a_jan_1', 'use_a_jan_2', 'use_b_jan_0', 'use_b_jan_1', 'use_b_open_0', 'use_b_open_1', 'use_b_open_2', 'use_a_test_0')`,
      )
      expect(await mismatches()).toEqual([])
      expect(await counter("usr_a", "2026-01")).toEqual({ pending_rows: 0, reported_rows: 17, flagged_rows: 2, settled_ops: 19, settled_micro_usd: 20_190 - 1002 })
      expect(await counter("usr_a", "2026-02")).toEqual({ pending_rows: 0, reported_rows: 6, flagged_rows: 0, settled_ops: 6, settled_micro_usd: 15_010 + 1002 })
      expect(await counter("usr_b", "2026-01")).toEqual({ pending_rows: 3, reported_rows: 9, flagged_rows: 1, settled_ops: 13, settled_micro_usd: 20_045 - 2001 + 777 + 12_003 })
      expect(await counter("usr_c", "2026-01")).toEqual({ pending_rows: 1, reported_rows: 0, flagged_rows: 0, settled_ops: 1, settled_micro_usd: 6000 })

      // A statement that changes no count (a batch id written on many rows) leaves the counters as they were.
      const before = await selectAll(suite.db, sql`select * from billing_usage order by user_id, period`)
      await exec(suite.db, sql`update usage set stripe_batch_id = 'mtb_same' where user_id in ('usr_a', 'usr_b')`)
      expect(await selectAll(suite.db, sql`select * from billing_usage order by user_id, period`)).toEqual(before)

      // Many rows out at once.
      await exec(suite.db, sql`delete from usage where id like 'use_a_jan_1%' or id like 'use_b_open_%'`)
      expect(await mismatches()).toEqual([])
    })
  })
}

// Migration 0011 over rows an older release left: each user's billing
// counters for a period are built from their live settled rows (by the call's
// start, UTC), split by where billing stands with Stripe; test and unsettled
// rows count nothing. From then on, triggers keep them as rows change.
import { describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import { runMigrations } from "../../src/platform/db/migrations"
import { exec, selectAll } from "../support/billing"
import { atMigration, dialects } from "../support/db"

/** 0000 … 0010: the schema before the billing counters. */
const BEFORE_0011 = 11

const lastMsOfJan = Date.parse("2026-01-31T23:59:59.999Z")
const firstMsOfFeb = Date.parse("2026-02-01T00:00:00.000Z")

const counters = async (h: Parameters<typeof selectAll>[0]) =>
  (await selectAll(h, sql`select * from billing_usage order by user_id, period`)).map((r): Record<string, unknown> =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k === "user_id" || k === "period" ? v : Number(v)])),
  )

for (const dialect of dialects) {
  describe(`migration 0011 over older rows (${dialect})`, () => {
    test("live settled rows become each user's period counters by Stripe state; then settling, reporting and flagging move them", () =>
      atMigration(dialect, BEFORE_0011, async (h) => {
        const rows: ReadonlyArray<readonly [id: string, user: string, state: string, stripe: string, environment: string, price: number, createdAt: number]> = [
          ["use_1", "usr_a", "settled", "pending", "live", 1000, lastMsOfJan],
          ["use_2", "usr_a", "settled", "reported", "live", 2000, lastMsOfJan],
          ["use_3", "usr_a", "settled", "flagged", "live", 4000, lastMsOfJan],
          ["use_4", "usr_a", "settled", "skipped", "live", 8000, lastMsOfJan],
          ["use_5", "usr_a", "settled", "skipped", "test", 9999, lastMsOfJan],
          ["use_6", "usr_a", "failed", "none", "live", 5555, lastMsOfJan],
          ["use_7", "usr_a", "settled", "pending", "live", 300, firstMsOfFeb],
          ["use_8", "usr_b", "pending", "none", "live", 700, lastMsOfJan],
        ]
        for (const [id, user, state, stripe, environment, price, createdAt] of rows) {
          await exec(h, sql`insert into usage (id, key_id, user_id, agent_id, agent_name, agent_price_micro_usd, markup_micro_usd, developer_price_micro_usd, wallet_id, request_id, state, stripe_state, environment, created_at)
            values (${id}, 'key', ${user}, 'agt', 'Agent', ${price}, 0, ${price}, 'wal', ${`req_${id}`}, ${state}, ${stripe}, ${environment}, ${createdAt})`)
        }
        await runMigrations(h)
        const jan = { user_id: "usr_a", period: "2026-01", settled_ops: 4, settled_micro_usd: 15_000, pending_rows: 1, pending_micro_usd: 1000, reported_rows: 1, reported_micro_usd: 2000, flagged_rows: 1, flagged_micro_usd: 4000 }
        const feb = { user_id: "usr_a", period: "2026-02", settled_ops: 1, settled_micro_usd: 300, pending_rows: 1, pending_micro_usd: 300, reported_rows: 0, reported_micro_usd: 0, flagged_rows: 0, flagged_micro_usd: 0 }
        expect(await counters(h)).toEqual([jan, feb])

        // The triggers: a call settles billable, is reported, then flagged; another row is deleted.
        await exec(h, sql`update usage set state = 'settled', stripe_state = 'pending' where id = 'use_8'`)
        await exec(h, sql`update usage set stripe_state = 'reported' where id in ('use_1', 'use_8')`)
        await exec(h, sql`update usage set stripe_state = 'flagged' where id = 'use_2'`)
        await exec(h, sql`delete from usage where id = 'use_4'`)
        // A repair of a settled row's price or month moves its counters too.
        await exec(h, sql`update usage set developer_price_micro_usd = 2500 where id = 'use_7'`)
        await exec(h, sql`update usage set created_at = ${lastMsOfJan} where id = 'use_7'`)
        expect(await counters(h)).toEqual([
          { ...jan, settled_ops: 4, settled_micro_usd: 9500, pending_rows: 1, pending_micro_usd: 2500, reported_rows: 1, reported_micro_usd: 1000, flagged_rows: 2, flagged_micro_usd: 6000 },
          { ...feb, settled_ops: 0, settled_micro_usd: 0, pending_rows: 0, pending_micro_usd: 0 },
          { user_id: "usr_b", period: "2026-01", settled_ops: 1, settled_micro_usd: 700, pending_rows: 0, pending_micro_usd: 0, reported_rows: 1, reported_micro_usd: 700, flagged_rows: 0, flagged_micro_usd: 0 },
        ])
      }))
  })
}

// The counters live in triggers, which drizzle's schema does not know: a
// future migration that rebuilds `usage` (SQLite's create-copy-rename) would
// drop them silently. This fails if any is missing.
for (const dialect of dialects) {
  test(`the counters' triggers exist after every migration (${dialect})`, () =>
    atMigration(dialect, 0, async (h) => {
      await runMigrations(h)
      const names =
        h.kind === "sqlite"
          ? (await selectAll(h, sql`select name from sqlite_master where type = 'trigger' and tbl_name = 'usage' order by name`)).map((r) => r.name)
          : (await selectAll(h, sql`select tgname as name from pg_trigger where tgrelid = 'usage'::regclass and not tgisinternal order by tgname`)).map((r) => r.name)
      expect(names).toEqual(
        h.kind === "sqlite"
          ? ["usage_billing_delete", "usage_billing_insert", "usage_billing_update", "usage_billing_update_same_month", "usage_days_delete", "usage_days_insert", "usage_days_update"]
          : ["usage_billing_counters_delete", "usage_billing_counters_insert", "usage_billing_counters_update", "usage_day_counters_delete", "usage_day_counters_insert", "usage_day_counters_update"],
      )
    }))
}

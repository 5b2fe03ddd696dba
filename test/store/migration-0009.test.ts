// Migration 0009 over rows an older release left: each row learns whether it
// is billed. A settled row keeps what its settlement decided; an open or
// failed row takes its key's environment and tier, as the reconciler would
// have when it settled it; a row whose key is gone is not billed.
import { describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import { Effect } from "effect"
import { migrationStatus, runMigrations } from "../../src/platform/db/migrations"
import { portOf } from "../../src/store/port"
import { pgUsage } from "../../src/store/usage/pg"
import { sqliteUsage } from "../../src/store/usage/sqlite"
import { exec, insertKey, insertUser, selectAll } from "../support/billing"
import { atMigration, dialects } from "../support/db"

/** 0000 … 0008: the schema before the billing decision was written at reserve. */
const BEFORE_0009 = 9

for (const dialect of dialects) {
  describe(`migration 0009 over older rows (${dialect})`, () => {
    test("settled rows keep their settlement's decision; open rows take their key's tier and environment; rows of a missing key are not billed; rows an older release writes later are billed by their key's tier", () =>
      atMigration(dialect, BEFORE_0009, async (h) => {
        const user = await insertUser(h)
        const paid = await insertKey(h, user, { tier: "pro" })
        const free = await insertKey(h, user, { tier: "free" })
        const rows: ReadonlyArray<readonly [id: string, key: string, state: string, stripe: string, environment: string]> = [
          // Settled on a paid tier, later downgraded: still billed as settled.
          ["use_s_billed", free, "settled", "reported", "live"],
          ["use_s_skipped", paid, "settled", "skipped", "live"],
          ["use_p_paid", paid, "pending", "none", "live"],
          ["use_u_free", free, "unknown", "none", "live"],
          ["use_p_test", paid, "pending", "none", "test"],
          ["use_r_gone", "key_deleted", "reserved", "none", "live"],
          ["use_f_paid", paid, "failed", "none", "live"],
        ]
        for (const [id, key, state, stripe, environment] of rows) {
          await exec(h, sql`insert into usage (id, key_id, user_id, agent_id, agent_name, agent_price_micro_usd, markup_micro_usd, developer_price_micro_usd, wallet_id, request_id, state, stripe_state, environment, created_at)
            values (${id}, ${key}, ${user}, 'agt', 'Agent', 1000, 0, 1000, 'wal', ${`req_${id}`}, ${state}, ${stripe}, ${environment}, 1767225600000)`)
        }

        await runMigrations(h)
        expect((await migrationStatus(h)).current).toBe(true)
        const billable = Object.fromEntries((await selectAll(h, sql`select id, billable from usage order by id`)).map((r) => [r.id, Boolean(r.billable)]))
        expect(billable).toEqual({
          use_s_billed: true,
          use_s_skipped: false,
          use_p_paid: true,
          use_u_free: false,
          use_p_test: false,
          use_r_gone: false,
          use_f_paid: true,
        })

        // An older release still running (a rolling upgrade) reserves rows without the column: settling one decides by its key's tier, as that release did.
        const usage = h.kind === "sqlite" ? sqliteUsage(portOf(h)) : pgUsage(h.db, h.client, portOf(h))
        for (const [id, key, environment] of [["use_old_paid", paid, "live"], ["use_old_free", free, "live"], ["use_old_test", paid, "test"]] as const) {
          await exec(h, sql`insert into usage (id, key_id, user_id, agent_id, agent_name, agent_price_micro_usd, markup_micro_usd, developer_price_micro_usd, wallet_id, request_id, state, environment, tx_signature, created_at)
            values (${id}, ${key}, ${user}, 'agt', 'Agent', 1000, 0, 1000, 'wal', ${`req_${id}`}, 'unknown', ${environment}, ${`sig_${id}`}, 1767225600000)`)
          expect(await Effect.runPromise(usage.settle(id, { txSignature: `sig_${id}`, receiptId: null, settledAt: 1767225601000 }))).toBe(true)
        }
        const states = Object.fromEntries((await selectAll(h, sql`select id, billable, stripe_state from usage where id like 'use_old_%'`)).map((r) => [r.id, { billable: r.billable, stripe: r.stripe_state }]))
        expect(states).toEqual({
          use_old_paid: { billable: null, stripe: "pending" },
          use_old_free: { billable: null, stripe: "skipped" },
          use_old_test: { billable: null, stripe: "skipped" },
        })
      }))
  })
}

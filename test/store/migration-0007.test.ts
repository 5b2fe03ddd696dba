// Migration 0007 over a database an older release left: every key gets the
// storage namespace its data is stored under, `tdk_<id>`, and keeps every
// other column; keys created afterwards get a random one; the verifier's
// lookup hands it to the gateway.
import { describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import { Effect } from "effect"
import type { DatabaseHandle } from "../../src/platform/db/database"
import { migrationStatus, runMigrations } from "../../src/platform/db/migrations"
import { newKey } from "../../src/modules/keys/service"
import { sqlKeys } from "../../src/store/keys/sql"
import { portOf } from "../../src/store/port"
import { exec, selectAll } from "../support/billing"
import { atMigration, dialects } from "../support/db"

/** 0000 … 0006: the schema before storage namespaces. */
const BEFORE_0007 = 7

const USER = "usr_legacy_owner"
const KEY = "key_01JLEGACYKEY0000000000001"
const REVOKED = "key_01JLEGACYKEY0000000000002"



/** Every column of every key, numbers as numbers (Postgres bigints come back as strings). */
const everyColumn = async (h: DatabaseHandle) =>
  (await selectAll(h, sql`select * from api_keys order by id`)).map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "string" && /^\d+$/.test(v) && k !== "id" ? Number(v) : v])),
  )

const keyRows = (h: DatabaseHandle) =>
  selectAll(h, sql`select id, user_id, key_hash, prefix, name, environment, tier, rate_limit_per_minute, wallet_id, status, previous_key_hash, previous_key_grace_until, created_at, revoked_at, storage_namespace from api_keys order by id`)

for (const dialect of dialects) {
  describe(`migration 0007 over legacy keys (${dialect})`, () => {
    test("keys created before it keep `tdk_<id>`, every other column as it was; new keys get a random namespace", () =>
      atMigration(dialect, BEFORE_0007, async (h) => {
        // As the older release wrote them (its schema has no storage_namespace column).
        await exec(h, sql`insert into users (id, email, password_hash, tier, created_at) values (${USER}, 'legacy@example.com', 'x', 'free', 1700000000000)`)
        // Every column set, each to its own value, so a column the table rebuild drops or swaps shows.
        await exec(
          h,
          sql`insert into api_keys (id, user_id, key_hash, prefix, name, environment, tier, rate_limit_per_minute, monthly_quota, concurrency_limit, monthly_spend_cap_micro_usd, wallet_id, status, status_reason, previous_key_hash, previous_key_grace_until, created_at, last_used_at, revoked_at, expires_at)
              values (${KEY}, ${USER}, 'hash-current', 'tk_live_abcd…', 'legacy', 'live', 'free', 42, 43, 44, 45, 'wal_legacy', 'active', 'reason-kept', 'hash-previous', 1900000000000, 1700000000001, 1700000000004, 1700000000005, 1700000000006)`,
        )
        await exec(h, sql`insert into api_keys (id, user_id, key_hash, prefix, name, environment, tier, status, created_at, revoked_at) values (${REVOKED}, ${USER}, 'hash-revoked', 'tk_test_efgh…', 'old', 'test', 'free', 'revoked', 1700000000002, 1700000000003)`)

        const legacy = await everyColumn(h)
        await runMigrations(h)
        // Whole rows, every column: the same values, plus the namespace.
        // (and the columns later migrations add, at their defaults)
        expect((await everyColumn(h)).map(({ storage_namespace: _, storage_wallet_id: walletColumn, ...row }) => (expect(walletColumn).toBeNull(), row))).toEqual(legacy)
        const status = await migrationStatus(h)
        expect(status).toMatchObject({ current: true, applied: status.expected })

        // Postgres bigints come back as strings.
        const num = (v: unknown) => (v === null ? null : Number(v))
        const rows = (await keyRows(h)).map((r): Record<string, unknown> => ({
          ...r,
          rate_limit_per_minute: num(r.rate_limit_per_minute),
          previous_key_grace_until: num(r.previous_key_grace_until),
          created_at: num(r.created_at),
          revoked_at: num(r.revoked_at),
      }))
      expect(rows).toEqual([
        { id: KEY, user_id: USER, key_hash: "hash-current", prefix: "tk_live_abcd…", name: "legacy", environment: "live", tier: "free", rate_limit_per_minute: 42, wallet_id: "wal_legacy", status: "active", previous_key_hash: "hash-previous", previous_key_grace_until: 1_900_000_000_000, created_at: 1_700_000_000_001, revoked_at: 1_700_000_000_005, storage_namespace: `tdk_${KEY}` },
        { id: REVOKED, user_id: USER, key_hash: "hash-revoked", prefix: "tk_test_efgh…", name: "old", environment: "test", tier: "free", rate_limit_per_minute: null, wallet_id: null, status: "revoked", previous_key_hash: null, previous_key_grace_until: null, created_at: 1_700_000_000_002, revoked_at: 1_700_000_000_003, storage_namespace: `tdk_${REVOKED}` },
      ])

      // The gateway receives it with the verified key, by the current hash and by the previous one in its grace.
      const keys = sqlKeys(portOf(h))
      expect(await Effect.runPromise(keys.findByHash("hash-current", 1_800_000_000_000))).toMatchObject({ id: KEY, storageNamespace: `tdk_${KEY}` })
      expect(await Effect.runPromise(keys.findByHash("hash-previous", 1_800_000_000_000))).toMatchObject({ id: KEY, storageNamespace: `tdk_${KEY}` })
      // Reads that feed responses leave it out.
      expect(Object.keys((await Effect.runPromise(keys.findById(KEY)))!)).not.toContain("storageNamespace")

      // A key created now: random, and the column refuses a second key with the same namespace.
      const fresh = newKey(USER, "new", "live", "free", 1_800_000_000_000)
      await Effect.runPromise(keys.insert(fresh.row))
      const [stored] = await selectAll(h, sql`select storage_namespace from api_keys where id = ${fresh.row.id}`)
      expect(stored!.storage_namespace).toMatch(/^ns_[1-9A-HJ-NP-Za-km-z]{40,45}$/)
      const copy = newKey(USER, "copy", "live", "free", 1_800_000_000_001)
      await expect(Effect.runPromise(keys.insert({ ...copy.row, storageNamespace: `tdk_${KEY}` }))).rejects.toThrow()
      // Without a namespace the database refuses the row rather than share one.
      await expect(exec(h, sql`insert into api_keys (id, user_id, key_hash, prefix, name, environment, tier, status, created_at) values ('key_raw', ${USER}, 'hash-raw', 'p', 'n', 'live', 'free', 'active', 1)`)).rejects.toThrow()

      // Running the migrations again changes nothing.
      const before = await keyRows(h)
      await runMigrations(h)
      expect(await keyRows(h)).toEqual(before)
      }))
  })
}

// Usage on SQLite: one implementation per dialect because the money path
// differs for real. Here recording a call with its guarded op and spend, and
// the release, are each one bun:sqlite transaction (one writer, synchronous,
// no lock order to keep); on Postgres each is one statement (pg.ts).
import { usage } from "../../platform/db/schema.sqlite"
import { periodOf } from "../../platform/period"
import { fixedInsert } from "../sqlite-insert"
import { attempt, isUniqueViolation } from "../attempt"
import type { NewUsage, RecordResult, UsageRepo } from "./repo"
import type { SqlPort } from "../port"
import { usageReads } from "./reads"

// Every agent call records and settles (or releases) its row: these
// run as cached bun:sqlite statements (like the key lookup in
// src/store/keys/sql.ts), each group in one transaction with the counters it
// moves. `changes` says whether a row was updated: the counters' triggers
// (migrations 0010, 0011) write other tables, which `changes` does not count.
const insertRow = fixedInsert<NewUsage>(usage, "usage")
// Upsert with a guarded update: insert counts the first call of the month
// (its price is within the cap: checked before); on conflict the WHERE keeps
// ops below the quota and the spend within the cap. No read-then-write.
const countCall = `insert into "usage_periods" ("key_id", "period", "ops", "spend_micro_usd") values (?, ?, 1, ?) on conflict ("key_id", "period") do update set "ops" = "usage_periods"."ops" + 1, "spend_micro_usd" = "usage_periods"."spend_micro_usd" + excluded."spend_micro_usd" where (? is null or "usage_periods"."ops" < ?) and (? is null or "usage_periods"."spend_micro_usd" + excluded."spend_micro_usd" <= ?) returning "ops"`
const periodRow = `select "ops", "spend_micro_usd" as "spent" from "usage_periods" where "key_id" = ? and "period" = ?`
const failOpen = `update "usage" set "state" = 'failed', "error" = ? where "id" = ? and "state" in ('pending', 'unknown') returning "key_id", "created_at", "developer_price_micro_usd"`
const dropReserved = `delete from "usage" where "id" = ? and "state" = 'reserved' returning "key_id", "created_at", "developer_price_micro_usd"`
const giveBack = `update "usage_periods" set "ops" = max("ops" - 1, 0), "spend_micro_usd" = max("spend_micro_usd" - ?, 0) where "key_id" = ? and "period" = ?`
// A row from a release before `billable` (null) is decided as that release
// did: by its key's tier now. The day and billing counters follow the row
// through triggers (migrations 0010, 0011), in this statement.
const settleOpen = `update "usage" set "state" = 'settled', "tx_signature" = ?, "receipt_id" = ?, "settled_at" = ?, "stripe_state" = case when "environment" = 'live' and coalesce("billable", (select "tier" <> 'free' from "api_keys" where "api_keys"."id" = "usage"."key_id"), 0) then 'pending' else 'skipped' end, "error" = null where "id" = ? and "state" in ('pending', 'unknown')`

type Released = { readonly key_id: string; readonly created_at: number; readonly developer_price_micro_usd: number }

export const sqliteUsage = (port: SqlPort): UsageRepo => {
  const client = port.db.$client
  // A reserved row (an older release wrote it) never reached payment: it
  // goes, as if the call had been refused before counting. A recorded one
  // stays as the failed call's record.
  const failAndGiveBack = (id: string, error: string): boolean => {
    const row = client.query<Released, [string]>(dropReserved).get(id) ?? client.query<Released, [string, string]>(failOpen).get(error, id)
    if (!row) return false
    client.query(giveBack).run(row.developer_price_micro_usd, row.key_id, periodOf(row.created_at))
    return true
  }
  const recordTx = client.transaction((c: Parameters<UsageRepo["record"]>[0], period: string, p: Parameters<UsageRepo["record"]>[2], quota: number | null, cap: number | null): RecordResult => {
    // A price above the cap on its own would pass on the month's first call (the insert has no guard).
    const counted = cap !== null && p.developerPriceMicroUsd > cap ? null : client.query<{ ops: number }, Array<string | number | null>>(countCall).get(c.keyId, period, p.developerPriceMicroUsd, quota, quota, cap, cap)
    if (!counted) {
      const row = client.query<{ ops: number; spent: number }, [string, string]>(periodRow).get(c.keyId, period)
      return quota !== null && (row?.ops ?? 0) >= quota ? { kind: "over_quota" } : { kind: "over_cap", spentMicroUsd: row?.spent ?? 0 }
    }
    client.query(insertRow.sql).run(...insertRow.values({ ...c, ...p, state: "pending" }))
    return { kind: "recorded", ops: counted.ops }
  })
  const releaseTx = client.transaction(failAndGiveBack)

  return {
    ...usageReads(port),
    record: (call, period, payment, { quota, capMicroUsd }) =>
      attempt(() => {
        // No month has room for a call under a quota of 0.
        if (quota !== null && quota <= 0) return { kind: "over_quota" } as const
        try {
          return recordTx(call, period, payment, quota, capMicroUsd)
        } catch (e) {
          // The transaction rolled back: another row holds this signature or intent.
          if (isUniqueViolation(e)) return { kind: "duplicate" } as const
          throw e
        }
      }),
    release: (id, error) => attempt(() => releaseTx(id, error)),
    settle: (id, s) => attempt(() => client.query(settleOpen).run(s.txSignature, s.receiptId, s.settledAt, id).changes === 1),
  }
}

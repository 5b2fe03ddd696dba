// Usage on SQLite: one implementation per dialect because the money path
// differs for real. Here the reservation, the claim with its guarded spend and
// the release are each one bun:sqlite transaction (one writer, synchronous,
// no lock order to keep); on Postgres each is one statement (pg.ts).
import { usage } from "../../platform/db/schema.sqlite"
import { periodOf } from "../../platform/period"
import { fixedInsert } from "../sqlite-insert"
import { attempt, isUniqueViolation } from "../attempt"
import type { ClaimResult, NewUsage, UsageRepo } from "./repo"
import type { SqlPort } from "../port"
import { usageReads } from "./reads"

// Every agent call reserves, claims and settles (or releases) its row: these
// run as cached bun:sqlite statements (like the key lookup in
// src/store/keys/sql.ts), each group in one transaction with the counters it
// moves. `changes` says whether a row was updated: the counters' triggers
// (migrations 0010, 0011) write other tables, which `changes` does not count.
const insertRow = fixedInsert<NewUsage>(usage, "usage")
// Upsert with a guarded update: insert counts the first call; on conflict the
// WHERE keeps ops below the quota. No read-then-write.
const countOp = `insert into "usage_periods" ("key_id", "period", "ops", "spend_micro_usd") values (?, ?, 1, 0) on conflict ("key_id", "period") do update set "ops" = "usage_periods"."ops" + 1`
const countOpUnlimited = `${countOp} returning "ops"`
const countOpBelowQuota = `${countOp} where "usage_periods"."ops" < ? returning "ops"`
const claimReserved = `update "usage" set "agent_name" = ?, "agent_price_micro_usd" = ?, "markup_micro_usd" = ?, "developer_price_micro_usd" = ?, "price_token" = ?, "price_base" = ?, "sol_rate_micro_usd" = ?, "wallet_id" = ?, "payment_intent_id" = ?, "tx_signature" = ?, "state" = 'pending' where "id" = ? and "state" = 'reserved' returning "key_id"`
const addSpend = `update "usage_periods" set "spend_micro_usd" = "spend_micro_usd" + ? where "key_id" = ? and "period" = ?`
const addSpendUnderCap = `${addSpend} and "spend_micro_usd" + ? <= ?`
const spentOf = `select "spend_micro_usd" as "spent" from "usage_periods" where "key_id" = ? and "period" = ?`
const failOpen = `update "usage" set "state" = 'failed', "error" = ? where "id" = ? and "state" in ('pending', 'unknown') returning "key_id", "created_at", "developer_price_micro_usd"`
const dropRow = `delete from "usage" where "id" = ?`
const dropReserved = `delete from "usage" where "id" = ? and "state" = 'reserved' returning "key_id", "created_at", "developer_price_micro_usd"`
const giveBack = `update "usage_periods" set "ops" = max("ops" - 1, 0), "spend_micro_usd" = max("spend_micro_usd" - ?, 0) where "key_id" = ? and "period" = ?`
// A row from a release before `billable` (null) is decided as that release
// did: by its key's tier now. The day and billing counters follow the row
// through triggers (migrations 0010, 0011), in this statement.
const settleOpen = `update "usage" set "state" = 'settled', "tx_signature" = ?, "receipt_id" = ?, "settled_at" = ?, "stripe_state" = case when "environment" = 'live' and coalesce("billable", (select "tier" <> 'free' from "api_keys" where "api_keys"."id" = "usage"."key_id"), 0) then 'pending' else 'skipped' end, "error" = null where "id" = ? and "state" in ('pending', 'unknown')`

type Released = { readonly key_id: string; readonly created_at: number; readonly developer_price_micro_usd: number }

export const sqliteUsage = (port: SqlPort): UsageRepo => {
  const client = port.db.$client
  // A reserved row never reached payment: it goes, as if the call had been
  // refused before counting. A claimed one stays as the failed call's record.
  const failAndGiveBack = (id: string, error: string): boolean => {
    const row = client.query<Released, [string]>(dropReserved).get(id) ?? client.query<Released, [string, string]>(failOpen).get(error, id)
    if (!row) return false
    client.query(giveBack).run(row.developer_price_micro_usd, row.key_id, periodOf(row.created_at))
    return true
  }
  const reserveTx = client.transaction((r: Parameters<UsageRepo["reserve"]>[0], period: string, quota: number | null): number | undefined => {
    const counted =
      quota === null
        ? client.query<{ ops: number }, [string, string]>(countOpUnlimited).get(r.keyId, period)
        : client.query<{ ops: number }, [string, string, number]>(countOpBelowQuota).get(r.keyId, period, quota)
    if (!counted) return undefined
    const row: NewUsage = { ...r, agentName: "", agentPriceMicroUsd: 0, markupMicroUsd: 0, developerPriceMicroUsd: 0, walletId: "", state: "reserved" }
    client.query(insertRow.sql).run(...insertRow.values(row))
    return counted.ops
  })
  const claimTx = client.transaction((id: string, period: string, p: Parameters<UsageRepo["claim"]>[2], cap: number | null): ClaimResult => {
    const claimed = client
      .query<{ key_id: string }, Array<string | number | null>>(claimReserved)
      .get(p.agentName, p.agentPriceMicroUsd, p.markupMicroUsd, p.developerPriceMicroUsd, p.priceToken, p.priceBase, p.solRateMicroUsd, p.walletId, p.paymentIntentId, p.txSignature, id)
    if (!claimed) return { kind: "gone" }
    const added = (cap === null ? client.query(addSpend).run(p.developerPriceMicroUsd, claimed.key_id, period) : client.query(addSpendUnderCap).run(p.developerPriceMicroUsd, claimed.key_id, period, p.developerPriceMicroUsd, cap)).changes === 1
    if (added) return { kind: "claimed" }
    const spent = client.query<{ spent: number }, [string, string]>(spentOf).get(claimed.key_id, period)?.spent ?? 0
    // Refused before payment, like a reservation released: no row, and the
    // spend was never added, so only the op comes back.
    client.query(dropRow).run(id)
    client.query(giveBack).run(0, claimed.key_id, period)
    return { kind: "over_cap", spentMicroUsd: spent }
  })
  const releaseTx = client.transaction(failAndGiveBack)

  return {
    ...usageReads(port),
    reserve: (row, period, quota) => attempt(() => (quota !== null && quota <= 0 ? undefined : reserveTx(row, period, quota))),
    claim: (id, period, payment, cap) =>
      attempt(() => {
        try {
          return claimTx(id, period, payment, cap)
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

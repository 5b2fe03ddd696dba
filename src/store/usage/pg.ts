// Usage on Postgres: one implementation per dialect because the money path
// differs for real. Here the reservation, the claim with its guarded spend and
// the release are each one statement (CTEs), taking the usage row's lock
// before the period row's, so a key's concurrent calls hold the period row
// for one statement and a claim racing a release waits instead of
// deadlocking; SQLite runs them as transactions (sqlite.ts).
import { and, eq, sql } from "drizzle-orm"
import type { PgDb } from "../../platform/db/database"
import { usagePeriods } from "../../platform/db/schema.pg"
import { attempt, isUniqueViolation } from "../attempt"
import type { UsageRepo } from "./repo"
import type { SqlPort } from "../port"
import { usageReads } from "./reads"

// The month a row counts in, computed where the row is (UTC, "YYYY-MM").
const periodOfRow = sql`to_char(to_timestamp(released.created_at / 1000.0) at time zone 'UTC', 'YYYY-MM')`

export const pgUsage = (db: PgDb, port: SqlPort): UsageRepo => ({
  ...usageReads(port),
  // One statement: the counted op and the reserved row commit together, and
  // INSERT … ON CONFLICT DO UPDATE … WHERE serialises concurrent reservations
  // on the period row, so they never overshoot the quota.
  reserve: (r, period, quota) =>
    attempt(async () => {
      if (quota !== null && quota <= 0) return undefined
      const guard = quota === null ? sql`` : sql` where usage_periods.ops < ${quota}`
      const rows = await db.execute<{ ops: string }>(sql`
        with counted as (
          insert into usage_periods (key_id, period, ops, spend_micro_usd) values (${r.keyId}, ${period}, 1, 0)
          on conflict (key_id, period) do update set ops = usage_periods.ops + 1${guard}
          returning ops
        ), reserved as (
          insert into usage (id, key_id, user_id, agent_id, agent_name, agent_price_micro_usd, markup_micro_usd, developer_price_micro_usd, wallet_id, request_id, idempotency_key, environment, billable, state, created_at)
          select ${r.id}, ${r.keyId}, ${r.userId}, ${r.agentId}, '', 0, 0, 0, '', ${r.requestId}, ${r.idempotencyKey}, ${r.environment}, ${r.billable}, 'reserved', ${r.createdAt} from counted
        )
        select ops from counted`)
      const ops = [...rows][0]?.ops
      return ops === undefined ? undefined : Number(ops)
    }),
  // One statement on the hot path, so the period row's lock is held for one
  // statement, not across round trips (a key's concurrent calls queue on it).
  // A duplicate signature or intent fails the whole statement: nothing sticks.
  // The usage row is locked first (FOR UPDATE), then the period row, the
  // order a release takes them in: a claim racing a release of the same row
  // (a client gone mid-claim, the reconciler) waits instead of deadlocking,
  // and a row released meanwhile is simply gone, with no spend added.
  claim: (id, period, p, cap) =>
    attempt(async () => {
      const underCap = cap === null ? sql`` : sql` and usage_periods.spend_micro_usd + ${p.developerPriceMicroUsd} <= ${cap}`
      let outcome: { reserved: number; claimed: number; key_id: string | null }
      try {
        const rows = await db.execute<{ reserved: string; claimed: string; key_id: string | null }>(sql`
          with target as (
            select key_id from usage where id = ${id} and state = 'reserved' for update
          ), spend as (
            update usage_periods set spend_micro_usd = usage_periods.spend_micro_usd + ${p.developerPriceMicroUsd}
            where key_id = (select key_id from target) and period = ${period}${underCap}
            returning key_id
          ), claimed as (
            update usage set agent_name = ${p.agentName}, agent_price_micro_usd = ${p.agentPriceMicroUsd}, markup_micro_usd = ${p.markupMicroUsd},
              developer_price_micro_usd = ${p.developerPriceMicroUsd}, price_token = ${p.priceToken}, price_base = ${p.priceBase},
              sol_rate_micro_usd = ${p.solRateMicroUsd}, wallet_id = ${p.walletId}, payment_intent_id = ${p.paymentIntentId},
              tx_signature = ${p.txSignature}, state = 'pending'
            where id = ${id} and state = 'reserved' and exists (select 1 from spend)
            returning id
          )
          select (select count(*) from target) as reserved, (select count(*) from claimed) as claimed, (select key_id from target) as key_id`)
        const r = [...rows][0]!
        outcome = { reserved: Number(r.reserved), claimed: Number(r.claimed), key_id: r.key_id }
      } catch (e) {
        if (isUniqueViolation(e)) return { kind: "duplicate" } as const
        throw e
      }
      if (outcome.claimed === 1) return { kind: "claimed" } as const
      const keyId = outcome.key_id
      if (outcome.reserved === 0 || keyId === null) return { kind: "gone" } as const
      // Over the cap. Refused before payment, like a reservation released: no
      // row, and the spend was never added, so only the op comes back.
      const spent = (await db.select({ spent: usagePeriods.spendMicroUsd }).from(usagePeriods).where(and(eq(usagePeriods.keyId, keyId), eq(usagePeriods.period, period))))[0]?.spent ?? 0
      const dropped = await db.execute(sql`
        with dropped as (delete from usage where id = ${id} and state = 'reserved' returning key_id)
        update usage_periods set ops = greatest(usage_periods.ops - 1, 0) from dropped where usage_periods.key_id = dropped.key_id and usage_periods.period = ${period}
        returning usage_periods.ops`)
      return [...dropped].length === 1 ? ({ kind: "over_cap", spentMicroUsd: Number(spent) } as const) : ({ kind: "gone" } as const)
    }),
  // One statement: the row goes (reserved: it never reached payment) or turns
  // failed (claimed: it stays as the failed call's record), and its op and
  // spend come back with it.
  release: (id, error) =>
    attempt(async () => {
      const once = async () => {
        const rows = await db.execute<{ n: number }>(sql`
        with dropped as (
          delete from usage where id = ${id} and state = 'reserved'
          returning key_id, created_at, developer_price_micro_usd
        ), failed as (
          update usage set state = 'failed', error = ${error} where id = ${id} and state in ('pending', 'unknown')
          returning key_id, created_at, developer_price_micro_usd
        ), released as (
          select * from dropped union all select * from failed
        ), given as (
          update usage_periods set ops = greatest(usage_periods.ops - 1, 0), spend_micro_usd = greatest(usage_periods.spend_micro_usd - released.developer_price_micro_usd, 0)
          from released where usage_periods.key_id = released.key_id and usage_periods.period = ${periodOfRow}
        )
        select count(*)::int as n from released`)
        return Number([...rows][0]?.n ?? 0) === 1
      }
      // Both branches read the row as of the statement's start: a claim that
      // committed while this waited on the row's lock (reserved → pending)
      // matches neither. A second statement sees the claimed row.
      return (await once()) || (await once())
    }),
  // A row from a release before `billable` (null) is decided as that release
  // did: by its key's tier now. The day and billing counters follow the row
  // through triggers (migrations 0010, 0011), in this statement.
  settle: (id, s) =>
    attempt(async () => {
      const rows = await db.execute(sql`
        update usage set state = 'settled', tx_signature = ${s.txSignature}, receipt_id = ${s.receiptId}, settled_at = ${s.settledAt},
          stripe_state = case when environment = 'live' and coalesce(billable, (select tier <> 'free' from api_keys where api_keys.id = usage.key_id), false) then 'pending' else 'skipped' end,
          error = null
        where id = ${id} and state in ('pending', 'unknown')
        returning id`)
      return [...rows].length === 1
    }),
})

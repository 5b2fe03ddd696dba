// Usage on Postgres: one implementation per dialect because the money path
// differs for real. Here recording a call with its guarded op and spend, and
// the release, are each one statement (CTEs), so a key's concurrent calls hold
// the period row for one statement; SQLite runs them as transactions
// (sqlite.ts).
import { and, eq, sql, type SQL } from "drizzle-orm"
import { PgDialect } from "drizzle-orm/pg-core"
import type postgres from "postgres"
import type { PgDb } from "../../platform/db/database"
import { usagePeriods } from "../../platform/db/schema.pg"
import { attempt, isUniqueViolation } from "../attempt"
import type { UsageRepo } from "./repo"
import type { SqlPort } from "../port"
import { usageReads } from "./reads"

/**
 * Runs a statement of the per-call path as a named prepared statement:
 * Postgres parses and plans its text once per connection instead of on every
 * call (drizzle's execute sends unnamed statements). Only for statements
 * whose text is fixed (values as parameters).
 */
const dialect = new PgDialect()
const preparedRows = async <R>(client: postgres.Sql, query: SQL): Promise<ReadonlyArray<R>> => {
  const { sql: text, params } = dialect.sqlToQuery(query)
  return (await client.unsafe(text, params as Array<never>, { prepare: true })) as unknown as ReadonlyArray<R>
}

// The month a row counts in, computed where the row is (UTC, "YYYY-MM").
const periodOfRow = sql`to_char(to_timestamp(released.created_at / 1000.0) at time zone 'UTC', 'YYYY-MM')`

export const pgUsage = (db: PgDb, client: postgres.Sql, port: SqlPort): UsageRepo => ({
  ...usageReads(port),
  // One statement, the call's one commit before its payment may leave: the
  // counted op and spend and the pending row commit together, and INSERT …
  // ON CONFLICT DO UPDATE … WHERE serialises a key's concurrent calls on the
  // period row, so they never overshoot the quota or the cap. A duplicate
  // signature or intent fails the whole statement: nothing sticks. It takes
  // the period row, then inserts a new usage row; a release takes an existing
  // usage row, then the period row. They can still wait on each other when
  // the insert's signature or intent equals that of a row a release of the
  // same key is updating (the unique index waits on it): Postgres ends the
  // cycle by failing one. A failed record wrote nothing; a failed release
  // leaves its row open for the reconciler. Either way the counters hold.
  record: (c, period, p, { quota, capMicroUsd }) =>
    attempt(async () => {
      if (quota !== null && quota <= 0) return { kind: "over_quota" } as const
      const refused = async () => {
        const row = (await db.select({ ops: usagePeriods.ops, spent: usagePeriods.spendMicroUsd }).from(usagePeriods).where(and(eq(usagePeriods.keyId, c.keyId), eq(usagePeriods.period, period))))[0]
        return quota !== null && Number(row?.ops ?? 0) >= quota ? ({ kind: "over_quota" } as const) : ({ kind: "over_cap", spentMicroUsd: Number(row?.spent ?? 0) } as const)
      }
      // A price above the cap on its own would pass on the month's first call (the insert has no guard).
      if (capMicroUsd !== null && p.developerPriceMicroUsd > capMicroUsd) return await refused()
      const guards = [
        ...(quota === null ? [] : [sql`usage_periods.ops < ${quota}`]),
        ...(capMicroUsd === null ? [] : [sql`usage_periods.spend_micro_usd + excluded.spend_micro_usd <= ${capMicroUsd}`]),
      ]
      const guard = guards.length === 0 ? sql`` : sql` where ${sql.join(guards, sql` and `)}`
      try {
        const rows = await preparedRows<{ recorded: string; ops: string | null }>(client, sql`
          with counted as (
            insert into usage_periods (key_id, period, ops, spend_micro_usd) values (${c.keyId}, ${period}, 1, ${p.developerPriceMicroUsd})
            on conflict (key_id, period) do update set ops = usage_periods.ops + 1, spend_micro_usd = usage_periods.spend_micro_usd + excluded.spend_micro_usd${guard}
            returning ops
          ), recorded as (
            insert into usage (id, key_id, user_id, agent_id, agent_name, agent_price_micro_usd, markup_micro_usd, developer_price_micro_usd, price_token, price_base, sol_rate_micro_usd,
              wallet_id, payment_intent_id, tx_signature, request_id, idempotency_key, environment, billable, state, created_at)
            select ${c.id}, ${c.keyId}, ${c.userId}, ${c.agentId}, ${p.agentName}, ${p.agentPriceMicroUsd}, ${p.markupMicroUsd}, ${p.developerPriceMicroUsd}, ${p.priceToken}, ${p.priceBase}, ${p.solRateMicroUsd},
              ${p.walletId}, ${p.paymentIntentId}, ${p.txSignature}, ${c.requestId}, ${c.idempotencyKey}, ${c.environment}, ${c.billable}, 'pending', ${c.createdAt} from counted
            returning id
          )
          select count(*) as recorded, (select ops from counted) as ops from recorded`)
        const row = [...rows][0]
        if (Number(row?.recorded ?? 0) === 1) return { kind: "recorded", ops: Number(row?.ops ?? 0) } as const
      } catch (e) {
        if (isUniqueViolation(e)) return { kind: "duplicate" } as const
        throw e
      }
      return await refused()
    }),
  // One statement: the row turns failed (it stays as the failed call's
  // record), or goes if it is a reserved row an older release wrote (it never
  // reached payment), and its op and spend come back with it.
  release: (id, error) =>
    attempt(async () => {
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
    }),
  // A row from a release before `billable` (null) is decided as that release
  // did: by its key's tier now. The day and billing counters follow the row
  // through triggers (migrations 0010, 0011), in this statement.
  settle: (id, s) =>
    attempt(async () => {
      const rows = await preparedRows(client, sql`
        update usage set state = 'settled', tx_signature = ${s.txSignature}, receipt_id = ${s.receiptId}, settled_at = ${s.settledAt},
          stripe_state = case when environment = 'live' and coalesce(billable, (select tier <> 'free' from api_keys where api_keys.id = usage.key_id), false) then 'pending' else 'skipped' end,
          error = null
        where id = ${id} and state in ('pending', 'unknown')
        returning id`)
      return [...rows].length === 1
    }),
})

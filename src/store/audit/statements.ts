// The audit's queries, shared by both dialects. The audit checks a month's
// rows themselves against the counters, so these read the month's rows (no
// index has created_at first since migration 0010 dropped (key,
// created_at)); on SQLite that is on the event loop, once per AUDIT_CRON run.
// Rows sharing a payment are found through the unique payment indexes, and
// pages go by id.
import { sql } from "drizzle-orm"
import type { MonthRange } from "./repo"

const inMonth = (r: MonthRange) => sql`created_at >= ${r.start} and created_at < ${r.end}`

export const sharedSignaturesStatement = (r: MonthRange) => sql`
  select id, tx_signature as value from usage
  where tx_signature in (select tx_signature from usage where ${inMonth(r)} and tx_signature is not null group by tx_signature having count(*) > 1)
  order by tx_signature, id`

export const sharedIntentsStatement = (r: MonthRange) => sql`
  select id, payment_intent_id as value from usage
  where payment_intent_id in (select payment_intent_id from usage where ${inMonth(r)} and payment_intent_id is not null group by payment_intent_id having count(*) > 1)
  order by payment_intent_id, id`

export const settledPageStatement = (r: MonthRange, afterId: string | undefined, limit: number) => sql`
  select id, tx_signature, environment from usage
  where state = 'settled' and ${inMonth(r)}${afterId === undefined ? sql`` : sql` and id > ${afterId}`}
  order by id limit ${limit}`

// Counters against the rows that hold their op (reserved, pending, unknown,
// settled), in one statement: one snapshot, so a call reserved or released
// meanwhile is on both sides or neither (two reads gave false mismatches).
export const counterMismatchStatement = (r: MonthRange) => sql`
  select coalesce(c.key_id, t.key_id) as key_id,
    coalesce(c.ops, 0) as counter_ops, coalesce(c.spend_micro_usd, 0) as counter_spend,
    coalesce(t.ops, 0) as row_ops, coalesce(t.spend_micro_usd, 0) as row_spend
  from (select key_id, ops, spend_micro_usd from usage_periods where period = ${r.period}) c
  full outer join (
    select key_id, count(*) as ops, coalesce(sum(developer_price_micro_usd), 0) as spend_micro_usd from usage
    where ${inMonth(r)} and state in ('reserved', 'pending', 'unknown', 'settled')
    group by key_id
  ) t on t.key_id = c.key_id
  where coalesce(c.ops, 0) <> coalesce(t.ops, 0) or coalesce(c.spend_micro_usd, 0) <> coalesce(t.spend_micro_usd, 0)
  order by 1`

// The day counters of settled calls against the settled rows, per key and
// agent over the month, in one statement (one snapshot, as above).
export const agentDayMismatchStatement = (r: MonthRange) => sql`
  select coalesce(c.key_id, t.key_id) as key_id, coalesce(c.agent_id, t.agent_id) as agent_id,
    coalesce(c.calls, 0) as counter_ops, coalesce(c.spend_micro_usd, 0) as counter_spend,
    coalesce(t.calls, 0) as row_ops, coalesce(t.spend_micro_usd, 0) as row_spend
  from (
    select key_id, agent_id, sum(calls) as calls, sum(spend_micro_usd) as spend_micro_usd from usage_agent_days
    where day >= ${`${r.period}-01`} and day <= ${`${r.period}-31`}
    group by key_id, agent_id
  ) c
  full outer join (
    select key_id, agent_id, count(*) as calls, coalesce(sum(developer_price_micro_usd), 0) as spend_micro_usd from usage
    where ${inMonth(r)} and state = 'settled'
    group by key_id, agent_id
  ) t on t.key_id = c.key_id and t.agent_id = c.agent_id
  where coalesce(c.calls, 0) <> coalesce(t.calls, 0) or coalesce(c.spend_micro_usd, 0) <> coalesce(t.spend_micro_usd, 0)
  order by 1, 2`

// A user's billing counters (billing_usage) against their live settled rows
// of the month, every column, in one statement (one snapshot).
export const billingCounterMismatchStatement = (r: MonthRange) => sql`
  select coalesce(c.user_id, t.user_id) as user_id,
    coalesce(c.settled_ops, 0) as counter_settled_ops, coalesce(t.settled_ops, 0) as row_settled_ops,
    coalesce(c.settled_micro_usd, 0) as counter_settled_micro_usd, coalesce(t.settled_micro_usd, 0) as row_settled_micro_usd,
    coalesce(c.pending_rows, 0) as counter_pending_rows, coalesce(t.pending_rows, 0) as row_pending_rows,
    coalesce(c.pending_micro_usd, 0) as counter_pending_micro_usd, coalesce(t.pending_micro_usd, 0) as row_pending_micro_usd,
    coalesce(c.reported_rows, 0) as counter_reported_rows, coalesce(t.reported_rows, 0) as row_reported_rows,
    coalesce(c.reported_micro_usd, 0) as counter_reported_micro_usd, coalesce(t.reported_micro_usd, 0) as row_reported_micro_usd,
    coalesce(c.flagged_rows, 0) as counter_flagged_rows, coalesce(t.flagged_rows, 0) as row_flagged_rows,
    coalesce(c.flagged_micro_usd, 0) as counter_flagged_micro_usd, coalesce(t.flagged_micro_usd, 0) as row_flagged_micro_usd
  from (select * from billing_usage where period = ${r.period}) c
  full outer join (
    select user_id,
      count(*) as settled_ops,
      coalesce(sum(developer_price_micro_usd), 0) as settled_micro_usd,
      sum(case when stripe_state = 'pending' then 1 else 0 end) as pending_rows,
      sum(case when stripe_state = 'pending' then developer_price_micro_usd else 0 end) as pending_micro_usd,
      sum(case when stripe_state = 'reported' then 1 else 0 end) as reported_rows,
      sum(case when stripe_state = 'reported' then developer_price_micro_usd else 0 end) as reported_micro_usd,
      sum(case when stripe_state = 'flagged' then 1 else 0 end) as flagged_rows,
      sum(case when stripe_state = 'flagged' then developer_price_micro_usd else 0 end) as flagged_micro_usd
    from usage where ${inMonth(r)} and state = 'settled' and environment = 'live'
    group by user_id
  ) t on t.user_id = c.user_id
  where coalesce(c.settled_ops, 0) <> coalesce(t.settled_ops, 0) or coalesce(c.settled_micro_usd, 0) <> coalesce(t.settled_micro_usd, 0) or coalesce(c.pending_rows, 0) <> coalesce(t.pending_rows, 0) or coalesce(c.pending_micro_usd, 0) <> coalesce(t.pending_micro_usd, 0) or coalesce(c.reported_rows, 0) <> coalesce(t.reported_rows, 0) or coalesce(c.reported_micro_usd, 0) <> coalesce(t.reported_micro_usd, 0) or coalesce(c.flagged_rows, 0) <> coalesce(t.flagged_rows, 0) or coalesce(c.flagged_micro_usd, 0) <> coalesce(t.flagged_micro_usd, 0)
  order by 1`

export const BILLING_COUNTERS = ["settled_ops", "settled_micro_usd", "pending_rows", "pending_micro_usd", "reported_rows", "reported_micro_usd", "flagged_rows", "flagged_micro_usd"] as const

// Failed rows that kept a signature: the call was released, so a successful
// payment under that signature left the pool without a charge.
export const failedSignedPageStatement = (r: MonthRange, afterId: string | undefined, limit: number) => sql`
  select id, tx_signature, environment from usage
  where state = 'failed' and tx_signature is not null and ${inMonth(r)}${afterId === undefined ? sql`` : sql` and id > ${afterId}`}
  order by id limit ${limit}`

export const flaggedStatement = (r: MonthRange) => sql`select id, stripe_error as reason from usage where stripe_state = 'flagged' and ${inMonth(r)} order by id`

export const overdueStatement = (r: MonthRange, settledBefore: number) => sql`
  select id, null as reason from usage
  where stripe_state = 'pending' and state = 'settled' and ${inMonth(r)} and settled_at < ${settledBefore}
  order by id`

type Raw = Record<string, unknown>

export const toShared = (rows: ReadonlyArray<Raw>) => rows.map((r) => ({ id: String(r.id), value: String(r.value) }))
export const toSettled = (rows: ReadonlyArray<Raw>) =>
  rows.map((r) => ({ id: String(r.id), txSignature: r.tx_signature === null ? null : String(r.tx_signature), environment: r.environment === "test" ? ("test" as const) : ("live" as const) }))
export const toMismatches = (rows: ReadonlyArray<Raw>) =>
  rows.map((r) => ({
    keyId: String(r.key_id),
    ...(r.agent_id === undefined ? {} : { agentId: String(r.agent_id) }),
    counter: { ops: Number(r.counter_ops), spendMicroUsd: Number(r.counter_spend) },
    rows: { ops: Number(r.row_ops), spendMicroUsd: Number(r.row_spend) },
  }))
export const toStripeRows = (rows: ReadonlyArray<Raw>) => rows.map((r) => ({ id: String(r.id), reason: r.reason === null || r.reason === undefined ? null : String(r.reason) }))

export const toBillingMismatches = (rows: ReadonlyArray<Raw>) =>
  rows.map((r) => ({
    userId: String(r.user_id),
    counter: Object.fromEntries(BILLING_COUNTERS.map((c) => [c, Number(r[`counter_${c}`])])),
    rows: Object.fromEntries(BILLING_COUNTERS.map((c) => [c, Number(r[`row_${c}`])])),
  }))

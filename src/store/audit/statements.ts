// The audit's queries, shared by both dialects. Each reads one month through
// the (key, created_at) / (stripe_state, state, created_at) indexes or the
// unique payment indexes.
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

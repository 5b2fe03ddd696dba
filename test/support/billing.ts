// Ledger fixtures for billing tests, written straight to the database (the
// gateway pipeline that normally writes them is not under test here).
import { newStorageNamespace } from "../../src/modules/keys/storage-namespace"
import { eq, sql } from "drizzle-orm"
import { Effect, Layer } from "effect"
import { makeStripe, StripeClient, type MeterEventInput } from "../../src/modules/billing/stripe-client"
import type { Config } from "../../src/platform/config/config"
import type { DatabaseHandle } from "../../src/platform/db/database"
import * as pg from "../../src/platform/db/schema.pg"
import * as lite from "../../src/platform/db/schema.sqlite"
import { newId } from "../../src/platform/ids"

export type UsageSeed = {
  readonly userId: string
  readonly keyId: string
  /** micro-USD */
  readonly price: number
  readonly createdAt: number
  readonly state?: string
  readonly stripeState?: string
}

const run = async (h: DatabaseHandle, f: (db: any, t: typeof lite) => any) => (h.kind === "sqlite" ? f(h.db, lite) : await f(h.db, pg as unknown as typeof lite))

export const insertUser = async (h: DatabaseHandle, opts: { customerId?: string | null; tier?: string } = {}) => {
  const id = newId("usr")
  await run(h, (db, t) => db.insert(t.users).values({ id, email: `${id}@example.com`, passwordHash: "x", stripeCustomerId: opts.customerId ?? null, tier: opts.tier ?? "paid", createdAt: 1_700_000_000_000 }))
  return id
}

export const insertKey = async (h: DatabaseHandle, userId: string, opts: { status?: string; statusReason?: string | null; tier?: string } = {}) => {
  const id = newId("key")
  // Only the columns it sets, named: the migration tests insert keys into schemas older than the latest.
  await exec(
    h,
    sql`insert into api_keys (id, user_id, key_hash, prefix, name, environment, tier, status, status_reason, created_at, storage_namespace)
      values (${id}, ${userId}, ${`hash_${id}`}, 'tk_live_abc', 'k', 'live', ${opts.tier ?? "paid"}, ${opts.status ?? "active"}, ${opts.statusReason ?? null}, ${1_700_000_000_000}, ${newStorageNamespace()})`,
  )
  return id
}

export const insertUsage = async (h: DatabaseHandle, rows: ReadonlyArray<UsageSeed>): Promise<Array<string>> => {
  const values = rows.map((r) => ({
    id: newId("use", r.createdAt),
    keyId: r.keyId, userId: r.userId, agentId: "agt_x", agentName: "x", agentPriceMicroUsd: r.price, markupMicroUsd: 0, developerPriceMicroUsd: r.price,
    walletId: "wal_x", requestId: newId("req"), state: r.state ?? "settled", stripeState: r.stripeState ?? "pending", createdAt: r.createdAt, settledAt: r.createdAt,
  }))
  for (let i = 0; i < values.length; i += 500) await run(h, (db, t) => db.insert(t.usage).values(values.slice(i, i + 500)))
  return values.map((v) => v.id)
}

/** Runs one statement that returns nothing (raw SQL, for schemas older than today's). */
export const exec = async (h: DatabaseHandle, query: ReturnType<typeof sql>): Promise<void> => {
  if (h.kind === "sqlite") h.db.run(query)
  else await h.db.execute(query)
}

export const selectAll = async (h: DatabaseHandle, query: ReturnType<typeof sql>): Promise<Array<Record<string, any>>> =>
  h.kind === "sqlite" ? h.db.all(query) : [...(await h.db.execute(query))]

export const usageStates = async (h: DatabaseHandle) =>
  Object.fromEntries((await selectAll(h, sql`select stripe_state, count(*) as n from usage group by stripe_state`)).map((r) => [r.stripe_state, Number(r.n)]))

export const userRow = async (h: DatabaseHandle, id: string) => (await run(h, (db, t) => db.select().from(t.users).where(eq(t.users.id, id))))[0]
export const keyRow = async (h: DatabaseHandle, id: string) => (await run(h, (db, t) => db.select().from(t.apiKeys).where(eq(t.apiKeys.id, id))))[0]
export const billingPeriodRows = async (h: DatabaseHandle, userId: string) =>
  run(h, (db, t) => db.select().from(t.billingPeriods).where(eq(t.billingPeriods.userId, userId)))

const HOUR_MS = 3_600_000

/** The first millisecond of the UTC calendar month `at` falls in. */
export const monthStartOf = (at: number): number => {
  const d = new Date(at)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
}

/**
 * The start of a past clock hour that lies inside one UTC calendar month,
 * more than an hour after that month began (early in a month: the previous
 * month's last hours but one). Aligned to the hour, so it starts a meter
 * batch bucket of any span that divides an hour.
 */
export const quietHour = (now: number = Date.now()): number => {
  const monthStart = monthStartOf(now)
  return now - monthStart > 2 * HOUR_MS ? Math.floor((now - HOUR_MS) / HOUR_MS) * HOUR_MS : monthStart - 2 * HOUR_MS
}

/** A meter batch as the ledger holds it: the rows carrying one stripe_batch_id. */
export type BatchOnRows = { readonly id: string; readonly userId: string; readonly rows: number; readonly microUsd: number; readonly firstAt: number; readonly states: string }

/** Every batch written on usage rows (one entry per batch and user: a batch spanning two users would show twice). */
export const batchesOnRows = async (h: DatabaseHandle): Promise<Array<BatchOnRows>> =>
  (await selectAll(h, sql`
    select stripe_batch_id as id, user_id, count(*) as n, sum(developer_price_micro_usd) as micro_usd, min(created_at) as first_at,
      min(stripe_state) as lo, max(stripe_state) as hi
    from usage where stripe_batch_id is not null group by stripe_batch_id, user_id order by min(created_at), stripe_batch_id`)).map((r) => ({
    id: String(r.id), userId: String(r.user_id), rows: Number(r.n), microUsd: Number(r.micro_usd), firstAt: Number(r.first_at),
    states: r.lo === r.hi ? String(r.lo) : `${r.lo}..${r.hi}`,
  }))

/** One meter event the reporter asked Stripe for, and Stripe's answer ("failed": no usable answer, e.g. the reply was lost). */
export type SentMeterEvent = MeterEventInput & { readonly outcome: "accepted" | "duplicate" | "failed" }

/**
 * The real Stripe client over `config`, recording every meter event the
 * reporter sends, resends Stripe answers "already exists" among them (the
 * fake keeps only the events it accepted).
 */
export const recordingStripe = (config: Config): { readonly layer: Layer.Layer<StripeClient>; readonly sent: Array<SentMeterEvent> } => {
  const sent: Array<SentMeterEvent> = []
  const real = makeStripe(config)
  const layer = Layer.succeed(StripeClient, {
    ...real,
    reportMeterEvent: (event) =>
      real.reportMeterEvent(event).pipe(
        Effect.tap((outcome) => Effect.sync(() => void sent.push({ ...event, outcome }))),
        Effect.tapError(() => Effect.sync(() => void sent.push({ ...event, outcome: "failed" }))),
      ),
  })
  return { layer, sent }
}

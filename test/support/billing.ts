// Ledger fixtures for billing tests, written straight to the database (the
// gateway pipeline that normally writes them is not under test here).
import { newStorageNamespace } from "../../src/modules/keys/storage-namespace"
import { eq, sql } from "drizzle-orm"
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
  await run(h, (db, t) =>
    db.insert(t.apiKeys).values({
      id, userId, keyHash: `hash_${id}`, prefix: "tk_live_abc", name: "k", environment: "live", tier: opts.tier ?? "paid",
      status: opts.status ?? "active", statusReason: opts.statusReason ?? null, createdAt: 1_700_000_000_000, storageNamespace: newStorageNamespace(),
    }))
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

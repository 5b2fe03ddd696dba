// The Stripe usage reporter while settled billable rows arrive at a steady
// rate for BENCH_REPORTER_SECONDS (10), written straight into the outbox as
// the gateway's settle would; the reporter runs as in the server
// (runReporter) on the same database, against the fake Stripe (in a process
// of its own, as Stripe is remote) answering every request after a set latency. Cases:
//   - one customer at 1,000 calls/s, Stripe at 150 ms (goal: keeps up);
//   - the same with one event per row (batchSpanMs 1, rows 1 ms apart): the
//     reporter before meter batches, for comparison;
//   - 1,000 customers at 5,000 calls/s in total, against the local fake
//     (goal: keeps up), and again with Stripe at 150 ms.
// "Keeps up": the backlog never exceeds 2 s of arrivals, and what is left
// when the arrivals stop drains within 2 s. On SQLite and (when a server is
// at hand) Postgres. Every run ends by checking Stripe's total against the
// ledger's.
import { sql } from "drizzle-orm"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { Effect, Fiber } from "effect"
import { makeRuntime } from "../src/app/layers"
import { defaultReporterOptions, runReporter, type ReporterOptions } from "../src/modules/billing/reporter"
import { makeStripe } from "../src/modules/billing/stripe-client"
import { loadConfig } from "../src/platform/config/config"
import { closeDatabase, openDatabase, type DatabaseHandle } from "../src/platform/db/database"
import { runMigrations } from "../src/platform/db/migrations"
import { newId } from "../src/platform/ids"
import { memorySink } from "../src/platform/logging/logger"
import { startPostgres } from "../scripts/services"
import type { Benchmark } from "./registry"
import type { Row } from "./stats"

const SECONDS = Number(process.env.BENCH_REPORTER_SECONDS ?? 10)
const BACKLOG_TARGET_S = 2
const DRAIN_TARGET_MS = 2_000
const TICK_MS = 20

type Case = { readonly name: string; readonly customers: number; readonly perSecond: number; readonly latencyMs: number; readonly options: Partial<ReporterOptions>; readonly goal: boolean }

const cases: ReadonlyArray<Case> = [
  { name: "1 customer, 1,000 calls/s, Stripe 150 ms", customers: 1, perSecond: 1_000, latencyMs: 150, options: {}, goal: true },
  { name: "1 customer, 1,000 calls/s, Stripe 150 ms, one event per row (before)", customers: 1, perSecond: 1_000, latencyMs: 150, options: { batchSpanMs: 1 }, goal: false },
  { name: "1,000 customers, 5,000 calls/s, local Stripe", customers: 1_000, perSecond: 5_000, latencyMs: 0, options: {}, goal: true },
  { name: "1,000 customers, 5,000 calls/s, Stripe 150 ms", customers: 1_000, perSecond: 5_000, latencyMs: 150, options: {}, goal: false },
]

const exec = async (h: DatabaseHandle, q: ReturnType<typeof sql>) => {
  if (h.kind === "sqlite") h.db.run(q)
  else await h.db.execute(q)
}
const one = async (h: DatabaseHandle, q: ReturnType<typeof sql>): Promise<Record<string, unknown>> =>
  (h.kind === "sqlite" ? h.db.all(q) : [...(await h.db.execute(q))])[0] as Record<string, unknown>

const pendingCount = async (h: DatabaseHandle) => Number((await one(h, sql`select count(*) as n from usage where stripe_state = 'pending'`)).n)

/** `count` settled, billable, unreported rows spread over the `spanMs` before `now`, round robin over the users. */
const arrive = async (h: DatabaseHandle, users: ReadonlyArray<{ userId: string; keyId: string }>, count: number, seq: { n: number }, end: number, spanMs: number) => {
  const values = Array.from({ length: count }, (_, j) => {
    const now = end - spanMs + Math.floor(((j + 1) * spanMs) / count)
    const i = seq.n++
    const u = users[i % users.length]!
    return sql`(${newId("use", now)}, ${u.keyId}, ${u.userId}, 'agt_bench', 'bench', ${1_000 + (i % 7) * 250}, 0, ${1_000 + (i % 7) * 250}, 'wal_bench', ${`req_bench_${i}`}, 'settled', 'pending', ${now}, ${now}, 'live', ${h.kind === "sqlite" ? 1 : true})`
  })
  for (let i = 0; i < values.length; i += 500)
    await exec(h, sql`insert into usage (id, key_id, user_id, agent_id, agent_name, agent_price_micro_usd, markup_micro_usd, developer_price_micro_usd, wallet_id, request_id, state, stripe_state, created_at, settled_at, environment, billable)
      values ${sql.join(values.slice(i, i + 500), sql`, `)}`)
}

export /** The fake Stripe in its own process, as a remote Stripe would be. */
const startRemoteFake = async () => {
  const proc = Bun.spawn([process.execPath, `${import.meta.dir}/../test/support/fake-stripe/process.ts`], { stdout: "pipe", stderr: "inherit" })
  const reader = proc.stdout.getReader()
  let text = ""
  while (!text.includes("\n")) {
    const { value, done } = await reader.read()
    if (done) throw new Error("the fake Stripe process ended before it started")
    text += new TextDecoder().decode(value)
  }
  reader.releaseLock()
  const info = JSON.parse(text.split("\n")[0]!) as { url: string; secretKey: string; control: string }
  return {
    ...info,
    setLatency: async (ms: number) => void (await fetch(`${info.control}/latency?ms=${ms}`, { method: "POST" })),
    summary: async () => (await (await fetch(`${info.control}/summary`)).json()) as { events: number; sum: string; duplicates: number; maxInFlightPerCustomer: number },
    close: async () => {
      proc.kill()
      await proc.exited
    },
  }
}

const measure = async (dialect: "sqlite" | "postgres", url: string, c: Case): Promise<Row> => {
  const handle = dialect === "sqlite" ? openDatabase({ dialect: "sqlite", path: url }) : openDatabase({ dialect: "postgres", url })
  const fake = await startRemoteFake()
  try {
    await runMigrations(handle)
    await exec(handle, sql`delete from usage`)
    await exec(handle, sql`delete from billing_usage`)
    const config = loadConfig({ STRIPE_SECRET_KEY: fake.secretKey, STRIPE_API_BASE: fake.url, STRIPE_TIMEOUT_MS: "30000", LOG_LEVEL: "error", NETWORK: "sandbox" })
    await Effect.runPromise(makeStripe(config).call("meters.create", (s) => s.billing.meters.create({ display_name: "bench", event_name: "tdk_api_call", default_aggregation: { formula: "sum" } })))
    const users: Array<{ userId: string; keyId: string }> = []
    for (let i = 0; i < c.customers; i++) {
      const userId = newId("usr")
      const keyId = newId("key")
      users.push({ userId, keyId })
      await exec(handle, sql`insert into users (id, email, password_hash, stripe_customer_id, tier, created_at) values (${userId}, ${`${userId}@bench.local`}, 'x', ${`cus_bench_${i}`}, 'paid', ${Date.now()})`)
    }
    await fake.setLatency(c.latencyMs)
    const { sink } = memorySink()
    const runtime = makeRuntime(config, { database: handle, sink })
    const options: ReporterOptions = { ...defaultReporterOptions, idleMs: 50, ...c.options }
    const fiber = runtime.runFork(runReporter(options))

    const seq = { n: 0 }
    const started = performance.now()
    let maxBacklog = 0
    let sampledAt = 0
    for (let tick = 0; ; tick++) {
      const due = Math.round((c.perSecond * (tick + 1) * TICK_MS) / 1000) - seq.n
      if (tick * TICK_MS >= SECONDS * 1000) break
      if (due > 0) await arrive(handle, users, due, seq, Date.now(), TICK_MS)
      if (performance.now() - sampledAt > 250) {
        maxBacklog = Math.max(maxBacklog, await pendingCount(handle))
        sampledAt = performance.now()
      }
      const wait = started + (tick + 1) * TICK_MS - performance.now()
      if (wait > 0) await Bun.sleep(wait)
    }
    const windowMs = performance.now() - started
    const arrived = seq.n
    const left = await pendingCount(handle)
    const reportedInWindow = arrived - left
    const drainStart = performance.now()
    while ((await pendingCount(handle)) > 0 && performance.now() - drainStart < 60_000) await Bun.sleep(10)
    const drainMs = performance.now() - drainStart
    await Effect.runPromise(Fiber.interrupt(fiber))
    await runtime.dispose()

    const leftAfter = await pendingCount(handle)
    const ledger = BigInt(String((await one(handle, sql`select coalesce(sum(developer_price_micro_usd), 0) as s from usage where stripe_state = 'reported'`)).s))
    const summary = await fake.summary()
    const stripe = BigInt(summary.sum)
    const backlogSeconds = maxBacklog / c.perSecond
    const keptUp = backlogSeconds <= BACKLOG_TARGET_S && drainMs <= DRAIN_TARGET_MS && leftAfter === 0
    return {
      case: `${dialect}: ${c.name}`,
      arrived,
      "arrived/s": Math.round(arrived / (windowMs / 1000)),
      "reported in window %": Math.round((reportedInWindow / arrived) * 1000) / 10,
      "reported/s in window": Math.round(reportedInWindow / (windowMs / 1000)),
      "max backlog": maxBacklog,
      "max backlog, s of arrivals": Math.round(backlogSeconds * 100) / 100,
      "drain after ms": leftAfter === 0 ? Math.round(drainMs) : `> 60000 (${leftAfter} left)`,
      "meter events": summary.events,
      "rows/event": Math.round((arrived / Math.max(1, summary.events)) * 10) / 10,
      "Stripe = ledger": stripe === ledger && summary.maxInFlightPerCustomer <= 1 ? "yes" : `NO (${stripe} vs ${ledger}, ${summary.maxInFlightPerCustomer} in flight for one customer)`,
      "keeps up": keptUp ? "yes" : "no",
      goal: c.goal ? (keptUp ? "met" : "NOT met") : "(for comparison)",
    }
  } finally {
    await closeDatabase(handle)
    await fake.close()
  }
}

export const reporterBenchmark: Benchmark = {
  name: "reporter",
  run: async () => {
    const rows: Array<Row> = []
    const dir = mkdtempSync(`${tmpdir()}/tdk-bench-reporter-`)
    // BENCH_REPORTER_ONLY: run only the cases whose name contains it.
    const only = process.env.BENCH_REPORTER_ONLY
    const chosen = cases.filter((c) => !only || c.name.includes(only))
    for (const c of chosen) rows.push(await measure("sqlite", `${dir}/tdk.db`, c))
    let pg: Awaited<ReturnType<typeof startPostgres>> | undefined
    try {
      pg = await startPostgres()
    } catch (e) {
      rows.push({ case: "postgres", note: `skipped: no Postgres server could be started (${String(e).slice(0, 80)})` })
    }
    if (pg) {
      try {
        for (const c of chosen) rows.push(await measure("postgres", pg.url, c))
      } finally {
        await pg.stop()
      }
    }
    return rows
  },
}

// The Stripe usage reporter while settled billable rows arrive at a steady
// rate for BENCH_REPORTER_SECONDS (20), written straight into the outbox as
// the gateway's settle would, from another thread; the reporter runs as in the server
// (runReporter) on the same database, against the fake Stripe (in a process
// of its own, as Stripe is remote) answering every request after a set latency. Cases:
//   - one customer at 1,000 calls/s, Stripe at 150 ms (goal: keeps up);
//   - the same with one event per row (batchSpanMs 1, rows 1 ms apart): the
//     reporter before meter batches, for comparison;
//   - 1,000 customers at 5,000 calls/s in total, against the local fake and
//     with Stripe at 150 ms (goal: keeps up; while rows arrive, their writer
//     competes with the reporter for the database, which on SQLite is one
//     writer at a time; where the writer cannot write 5,000 rows a second
//     itself, the row says so);
//   - 1,000 customers' backlog of 100,000 calls, Stripe at 150 ms, nothing
//     arriving (goal: reported at 5,000 rows a second or more: the backlog
//     divided by the time from the reporter's start until nothing is pending).
//     The drain after the arrivals stop measures a backlog as small as the
//     reporter kept it, so its rate is bounded by the meter events' round trips,
//     not by the reporter's capacity: this case measures that capacity.
// "Keeps up": over the second half of the window (the steady state), rows
// are reported at least at 95 % of the rate they arrive, and what is left
// when the arrivals stop drains within 5 s. The backlog is sampled every
// 250 ms and its growth is the slope of a line fitted through the second
// half's samples: with many customers the reporter visits each once a cycle
// (seconds), so the backlog rises and falls within a cycle, and two samples
// alone would read that wave as growth or shrinkage. On SQLite and (when a server is
// at hand) Postgres. Every run ends by checking Stripe's events against the
// ledger, batch by batch (stripeTotals).
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
import type { ArrivalsPlan } from "./reporter-arrivals"
import { writeSettledRows } from "./usage-rows"
import type { Benchmark } from "./registry"
import { slope, type Row } from "./stats"

const SECONDS = Number(process.env.BENCH_REPORTER_SECONDS ?? 20)
const STEADY_TARGET = 0.95
const DRAIN_TARGET_MS = 5_000

type Goal = "keeps up" | "reports 5,000/s" | undefined
type Case = {
  readonly name: string
  readonly customers: number
  readonly perSecond: number
  /** Rows written before the reporter starts (with no arrivals after). */
  readonly backlog?: number
  readonly latencyMs: number
  readonly options: Partial<ReporterOptions>
  readonly goal: Goal
}
const CAPACITY_TARGET = 5_000

const cases: ReadonlyArray<Case> = [
  { name: "1 customer, 1,000 calls/s, Stripe 150 ms", customers: 1, perSecond: 1_000, latencyMs: 150, options: {}, goal: "keeps up" },
  { name: "1 customer, 1,000 calls/s, Stripe 150 ms, one event per row (before)", customers: 1, perSecond: 1_000, latencyMs: 150, options: { batchSpanMs: 1 }, goal: undefined },
  { name: "1,000 customers, 5,000 calls/s, local Stripe", customers: 1_000, perSecond: 5_000, latencyMs: 0, options: {}, goal: "keeps up" },
  { name: "1,000 customers, 5,000 calls/s, Stripe 150 ms", customers: 1_000, perSecond: 5_000, latencyMs: 150, options: {}, goal: "keeps up" },
  { name: "1,000 customers, a backlog of 100,000 calls, Stripe 150 ms", customers: 1_000, perSecond: 0, backlog: 100_000, latencyMs: 150, options: {}, goal: "reports 5,000/s" },
]

const exec = async (h: DatabaseHandle, q: ReturnType<typeof sql>) => {
  if (h.kind === "sqlite") h.db.run(q)
  else await h.db.execute(q)
}
const all = async (h: DatabaseHandle, q: ReturnType<typeof sql>): Promise<Array<Record<string, unknown>>> =>
  (h.kind === "sqlite" ? h.db.all(q) : [...(await h.db.execute(q))]) as Array<Record<string, unknown>>
const one = async (h: DatabaseHandle, q: ReturnType<typeof sql>): Promise<Record<string, unknown>> => (await all(h, q))[0]!

/**
 * The backlog, sampled while the reporter runs: from the billing counters (one
 * row per customer and month), not by counting usage rows. Counting 100,000
 * pending rows took ~50 ms a time on Postgres, and on SQLite ran on the
 * reporter's own thread: the harness weighed on what it measured.
 */
const pendingCount = async (h: DatabaseHandle) => Number((await one(h, sql`select coalesce(sum(pending_rows), 0) as n from billing_usage`)).n)
/** Vacuums (Postgres) and analyzes the tables the reporter reads and writes. */
const freshen = async (h: DatabaseHandle) => {
  if (h.kind === "postgres") await h.client.unsafe("vacuum analyze usage, billing_usage, stripe_report_leases, users")
  else h.client.exec("analyze")
}
/** The backlog counted from the rows, once a case is over: the counters must agree. */
const pendingRows = async (h: DatabaseHandle) => Number((await one(h, sql`select count(*) as n from usage where stripe_state = 'pending' and state = 'settled'`)).n)

/** The fake Stripe in its own process, as a remote Stripe would be. */
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
    events: async () => (await (await fetch(`${info.control}/events`)).json()) as Array<{ identifier: string; value: string }>,
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
    await exec(handle, sql`delete from stripe_report_leases`)
    // Each case starts from tables as a running system keeps them: on
    // Postgres the earlier cases' deleted rows are vacuumed away (they left
    // every index full of dead entries: two full runs of the same code
    // drained the backlog at ~2,300 and ~8,000 rows/s), and both dialects'
    // statistics are current (autovacuum, PRAGMA optimize).
    await freshen(handle)
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
    if (c.backlog !== undefined) {
      await writeSettledRows(handle, users, c.backlog, { n: 0 }, Date.now(), SECONDS * 1000)
      await freshen(handle)
    }
    const { sink } = memorySink()
    const runtime = makeRuntime(config, { database: handle, sink })
    const options: ReporterOptions = { ...defaultReporterOptions, idleMs: 50, ...c.options }
    const fiber = runtime.runFork(runReporter(options))
    /**
     * Stripe against the ledger, batch by batch: every event Stripe holds is
     * one written batch and carries exactly its rows' sum, and every reported
     * row's batch is held. A batch Stripe took while the reporter was being
     * stopped (before it marked the rows) is still pending here: it is resent
     * under the same identifier and Stripe keeps one, so it is counted apart,
     * not as a mismatch.
     */
    const stripeTotals = async () => {
      const summary = await fake.summary()
      const held = new Map((await fake.events()).map((e) => [e.identifier, BigInt(e.value)]))
      const batches = await all(handle, sql`
        select stripe_batch_id as id, coalesce(sum(developer_price_micro_usd), 0) as s, sum(case when stripe_state = 'reported' then 1 else 0 end) as reported, count(*) as n
        from usage where stripe_batch_id is not null group by stripe_batch_id`)
      const problems: Array<string> = []
      let acceptedStillPending = 0
      const written = new Map(batches.map((b) => [String(b.id), b]))
      for (const [identifier, value] of held) {
        const batch = written.get(identifier)
        if (!batch) problems.push(`${identifier} held by Stripe, no rows`)
        else if (BigInt(String(batch.s)) !== value) problems.push(`${identifier}: Stripe ${value}, rows ${batch.s}`)
        else if (Number(batch.reported) < Number(batch.n)) acceptedStillPending += Number(batch.n) - Number(batch.reported)
      }
      for (const [id, batch] of written) if (Number(batch.reported) > 0 && !held.has(id)) problems.push(`${id}: reported, not held by Stripe`)
      if (summary.maxInFlightPerCustomer > 1) problems.push(`${summary.maxInFlightPerCustomer} in flight for one customer`)
      const matches =
        problems.length > 0
          ? `NO (${problems.length} problems, first: ${problems[0]})`
          : acceptedStillPending > 0
            ? `yes (${acceptedStillPending} rows taken while the reporter stopped, still pending: resent as the same event)`
            : "yes"
      return { events: summary.events, matches }
    }
    /** Waits until nothing is pending or `limitMs` has passed; how long it took and what is left. */
    const drain = async (limitMs: number) => {
      const started = performance.now()
      while ((await pendingCount(handle)) > 0 && performance.now() - started < limitMs) await Bun.sleep(10)
      return { ms: performance.now() - started, left: await pendingCount(handle) }
    }
    const stopReporter = async () => {
      await Effect.runPromise(Fiber.interrupt(fiber))
      await runtime.dispose()
    }
    /** The case's row: its own columns over blanks, and what Stripe holds against the ledger. */
    const rowOf = async (rows: number, columns: Record<string, string | number>, verdict: { readonly keepsUp?: string; readonly goal: string }): Promise<Row> => {
      const [counted, fromRows] = [await pendingCount(handle), await pendingRows(handle)]
      if (counted !== fromRows) throw new Error(`${c.name}: the billing counters say ${counted} rows are pending, the rows ${fromRows}`)
      const totals = await stripeTotals()
      return {
        case: `${dialect}: ${c.name}`,
        arrived: rows,
        ...Object.fromEntries(["arrived/s", "reported/s in window", "steady: reported/arrived", "max backlog", "max backlog, s of arrivals", "left at end", "drain after ms", "drain rows/s"].map((k) => [k, ""])),
        ...columns,
        "meter events": totals.events,
        "rows/event": Math.round((rows / Math.max(1, totals.events)) * 10) / 10,
        "Stripe = ledger": totals.matches,
        "keeps up": verdict.keepsUp ?? "",
        goal: verdict.goal,
      }
    }

    if (c.backlog !== undefined) {
      // Capacity: the whole backlog, from the reporter's start until nothing is pending.
      const { ms, left } = await drain(120_000)
      await stopReporter()
      const rate = left === 0 ? Math.round(c.backlog / (ms / 1000)) : 0
      return await rowOf(c.backlog, {
        "max backlog": c.backlog,
        "left at end": c.backlog,
        "drain after ms": left === 0 ? Math.round(ms) : `> 120000 (${left} left)`,
        "drain rows/s": rate,
      }, { goal: `reports ${CAPACITY_TARGET.toLocaleString("en")}/s: ${rate >= CAPACITY_TARGET ? "met" : "NOT met"}` })
    }

    // The rows arrive from another thread (see reporter-arrivals.ts); this
    // thread runs the reporter and samples the backlog.
    const worker = new Worker(new URL("./reporter-arrivals.ts", import.meta.url).href)
    let arrivedSoFar = 0
    const finished = new Promise<number>((resolve) => {
      worker.onmessage = (m: MessageEvent<{ arrived: number; done?: boolean; ms?: number }>) => {
        arrivedSoFar = m.data.arrived
        if (m.data.done) resolve(m.data.ms!)
      }
    })
    worker.postMessage({ dialect, url, users, perSecond: c.perSecond, seconds: SECONDS } satisfies ArrivalsPlan)
    let maxBacklog = 0
    let mid: { arrived: number; at: number } | undefined
    const samples: Array<{ x: number; y: number }> = []
    const started = performance.now()
    let done = false
    void finished.then(() => (done = true))
    while (!done) {
      await Bun.sleep(250)
      const backlog = await pendingCount(handle)
      maxBacklog = Math.max(maxBacklog, backlog)
      const at = performance.now()
      if (!mid && at - started >= (SECONDS * 1000) / 2) mid = { arrived: arrivedSoFar, at }
      if (mid && !done) samples.push({ x: (at - started) / 1000, y: backlog })
    }
    const windowMs = await finished
    const ended = performance.now()
    worker.terminate()
    const arrived = arrivedSoFar
    const left = await pendingCount(handle)
    const reportedInWindow = arrived - left
    const { ms: drainMs, left: leftAfter } = await drain(60_000)
    await stopReporter()
    const backlogSeconds = maxBacklog / c.perSecond
    // Reported in the second half = what arrived in it, less what the backlog grew by (the fitted line's rise).
    const secondHalf = arrived - mid!.arrived
    const grew = slope(samples) * ((ended - mid!.at) / 1000)
    const steady = (secondHalf - grew) / secondHalf
    const keptUp = steady >= STEADY_TARGET && drainMs <= DRAIN_TARGET_MS && leftAfter === 0
    const drainRate = leftAfter === 0 && drainMs > 0 ? Math.round(left / (drainMs / 1000)) : 0
    const arrivedPerSecond = Math.round(arrived / (windowMs / 1000))
    // Where the writer could not write the planned rate, keeping up is with what it wrote.
    const short = arrivedPerSecond < c.perSecond * 0.95 ? ` (the writer managed ${arrivedPerSecond.toLocaleString("en")} of ${c.perSecond.toLocaleString("en")} calls/s)` : ""
    return await rowOf(arrived, {
      "arrived/s": arrivedPerSecond,
      "reported/s in window": Math.round(reportedInWindow / (windowMs / 1000)),
      "steady: reported/arrived": Math.round(steady * 100) / 100,
      "max backlog": maxBacklog,
      "max backlog, s of arrivals": Math.round(backlogSeconds * 100) / 100,
      "left at end": left,
      "drain after ms": leftAfter === 0 ? Math.round(drainMs) : `> 60000 (${leftAfter} left)`,
      "drain rows/s": drainRate,
    }, { keepsUp: keptUp ? "yes" : "no", goal: c.goal === undefined ? "(for comparison)" : `${c.goal}: ${keptUp ? "met" : "NOT met"}${short}` })
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

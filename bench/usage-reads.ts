// The reads that grew with the data, at scale: `GET /v1/usage/current`,
// `GET /v1/usage/history?limit=50`, `GET /v1/usage/daily`, `GET /v1/billing` and the catalogue (`GET /v1/agents`, one agent) for one key (and its
// user) holding 1k rows and then 1M settled rows in the current month,
// beside 1,000 other keys with 10 rows each; and the operator's
// reconciliation of the month and the monthly close. On SQLite and (when a
// server is at hand) Postgres. Requests go through the real app
// (`app.handle`), with the key's identity cached as in production. Goals:
// developer reads p50 under 5 ms with 1M/1k at most 2; reconciliation and
// close under 100 ms at 1M; on SQLite no event-loop stall over 20 ms while
// they run (a 1 ms timer's lateness; the requests yield to the loop between
// one another, as concurrent requests would), and while they run beside four
// callers paying agents: on SQLite with the sandbox marketplace in a process
// of its own, as the real marketplace is remote (the goal), and in this
// process (for reference: the stand-in's work then shares the loop).
//
// Rows are generated in SQL (a recursive CTE on SQLite, generate_series on
// Postgres) and the counters built from them as migration 0010 does, so the
// database is what a server that settled those calls would hold.
// BENCH_USAGE_LARGE sets the large size (default 1,000,000).
import { sql } from "drizzle-orm"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { createApp } from "../src/app/app"
import { makeRuntime, type AppRuntime } from "../src/app/layers"
import { displayPrefix, generateApiKey, hashApiKey } from "../src/modules/keys/key-format"
import { newStorageNamespace } from "../src/modules/keys/storage-namespace"
import { loadConfig } from "../src/platform/config/config"
import { closeDatabase, openDatabase, type DatabaseHandle } from "../src/platform/db/database"
import { runMigrations } from "../src/platform/db/migrations"
import { closeBillingPeriod } from "../src/modules/billing/service"
import { periodBounds, periodOf } from "../src/platform/period"
import { freePort, startPostgres } from "../scripts/services"
import type { Benchmark } from "./registry"
import { callThroughGateway, fundedKey } from "./sandbox-client"
import { percentile, type Row } from "./stats"

const SMALL = 1_000
const LARGE = Number(process.env.BENCH_USAGE_LARGE ?? 1_000_000)
const OTHER_KEYS = 1_000
const OTHER_ROWS_PER_KEY = 10
const REQUESTS = 300
const P50_TARGET_MS = 5
const GROWTH_TARGET = 2

const exec = async (h: DatabaseHandle, q: ReturnType<typeof sql>) => {
  if (h.kind === "sqlite") h.db.run(q)
  else await h.db.execute(q)
}

/** `count` settled rows for `keyId` spread over this month so far, three agents; ids sort by time. */
const insertRows = async (h: DatabaseHandle, keyId: string, userId: string, count: number, idBase: number) => {
  const now = Date.now()
  const { start } = periodBounds(periodOf(now))
  const span = Math.max(now - start - 1, 1)
  const n = sql`s.i`
  const series =
    h.kind === "sqlite"
      ? sql`with recursive s(i) as (select 0 union all select i + 1 from s where i < ${count - 1})`
      : sql`with s(i) as (select generate_series(0, ${count - 1}))`
  const createdAt = sql`(cast(${start} as bigint) + (cast(${n} as bigint) * cast(${span} as bigint)) / ${count})`
  const id = h.kind === "sqlite" ? sql`'use_' || substr('00000000000000' || (${createdAt}), -14) || substr('000000000000' || (cast(${idBase} as bigint) + ${n}), -12)` : sql`'use_' || lpad((${createdAt})::text, 14, '0') || lpad((cast(${idBase} as bigint) + ${n})::text, 12, '0')`
  const agent = sql`'agt_bench_' || (${n} % 3)`
  const price = sql`(1000 + (${n} % 3) * 500)`
  // The counters' triggers are off while seeding on Postgres (one statement
  // settling 1M rows of one user would update one counter row 1M times in a
  // transaction); buildCounters then builds every counter from the rows.
  const seed = (q: ReturnType<typeof sql>) =>
    h.kind === "sqlite"
      ? exec(h, q)
      : h.db.transaction(async (tx) => {
          await tx.execute(sql`set local session_replication_role = replica`)
          await tx.execute(q)
        })
  await seed(
    sql`${series}
    insert into usage (id, key_id, user_id, agent_id, agent_name, agent_price_micro_usd, markup_micro_usd, developer_price_micro_usd, wallet_id, request_id, state, stripe_state, tx_signature, created_at, settled_at)
    select ${id}, ${keyId}, ${userId}, ${agent}, 'Bench agent', ${price}, 0, ${price}, 'wal_bench', 'req_bench', 'settled', 'reported', 'sig_' || ${id}, ${createdAt}, ${createdAt} from s`,
  )
}

/** The counters settlement keeps, built from the rows as a server that settled them would hold them. */
const buildCounters = async (h: DatabaseHandle) => {
  const period = h.kind === "sqlite" ? sql`strftime('%Y-%m', created_at / 1000, 'unixepoch')` : sql`to_char(to_timestamp(created_at / 1000.0) at time zone 'UTC', 'YYYY-MM')`
  const day = h.kind === "sqlite" ? sql`strftime('%Y-%m-%d', created_at / 1000, 'unixepoch')` : sql`to_char(to_timestamp(created_at / 1000.0) at time zone 'UTC', 'YYYY-MM-DD')`
  const month = h.kind === "sqlite" ? sql`strftime('%Y-%m', created_at / 1000, 'unixepoch')` : sql`to_char(to_timestamp(created_at / 1000.0) at time zone 'UTC', 'YYYY-MM')`
  await exec(h, sql`delete from billing_usage`)
  await exec(
    h,
    sql`insert into billing_usage (user_id, period, settled_ops, settled_micro_usd, pending_rows, pending_micro_usd, reported_rows, reported_micro_usd, flagged_rows, flagged_micro_usd)
    select user_id, ${month}, count(*), sum(developer_price_micro_usd),
      sum(case when stripe_state = 'pending' then 1 else 0 end), sum(case when stripe_state = 'pending' then developer_price_micro_usd else 0 end),
      sum(case when stripe_state = 'reported' then 1 else 0 end), sum(case when stripe_state = 'reported' then developer_price_micro_usd else 0 end),
      sum(case when stripe_state = 'flagged' then 1 else 0 end), sum(case when stripe_state = 'flagged' then developer_price_micro_usd else 0 end)
    from usage where state = 'settled' and environment = 'live' group by user_id, ${month}`,
  )
  await exec(h, sql`delete from usage_periods`)
  await exec(h, sql`delete from usage_agent_days`)
  await exec(h, sql`insert into usage_periods (key_id, period, ops, spend_micro_usd) select key_id, ${period}, count(*), sum(developer_price_micro_usd) from usage group by key_id, ${period}`)
  await exec(
    h,
    sql`insert into usage_agent_days (key_id, day, agent_id, user_id, agent_name, calls, spend_micro_usd)
    select key_id, ${day}, agent_id, max(user_id), max(agent_name), count(*), sum(developer_price_micro_usd) from usage where state = 'settled' group by key_id, ${day}, agent_id`,
  )
  // Fresh statistics, as autovacuum (Postgres) or ANALYZE would leave them.
  await exec(h, sql`analyze`)
}

/** The heavy user, signed up and logged in through the API: its key, key id, user id and session. */
const registerHeavyUser = async (app: App) => {
  const post = (path: string, body: unknown) => app.handle(new Request(`http://localhost${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })).then((r) => r.json() as Promise<any>)
  const credentials = { email: "heavy@example.com", password: "correct horse battery staple" }
  const registered = await post("/v1/auth/register", credentials)
  const login = await post("/v1/auth/login", credentials)
  return { key: String(registered.api_key.key), keyId: String(registered.api_key.id), userId: String(registered.user.id), session: String(login.session.token) }
}

const insertUserAndKey = async (h: DatabaseHandle, n: number) => {
  const now = Date.now()
  const userId = `usr_bench_${n}`
  const key = generateApiKey("live")
  const keyId = `key_bench_${n}`
  await exec(h, sql`insert into users (id, email, password_hash, tier, created_at) values (${userId}, ${`bench${n}@example.com`}, 'x', 'free', ${now})`)
  await exec(
    h,
    sql`insert into api_keys (id, user_id, key_hash, prefix, name, environment, tier, status, created_at, storage_namespace) values (${keyId}, ${userId}, ${hashApiKey(key)}, ${displayPrefix(key)}, 'bench', 'live', 'free', 'active', ${now}, ${newStorageNamespace()})`,
  )
  return { key, keyId, userId }
}

type App = ReturnType<typeof createApp>

const timeRequests = async (app: App, path: string, bearer: string, requests = REQUESTS): Promise<{ p50: number; p99: number }> => {
  const headers = { authorization: `Bearer ${bearer}` }
  for (let i = 0; i < 20; i++) {
    // Each request on its own turn of the loop, as requests from clients
    // arrive: back to back, twenty of them would read as one stall.
    await yieldToLoop()
    const r = await app.handle(new Request(`http://localhost${path}`, { headers }))
    if (r.status !== 200) throw new Error(`${path} answered ${r.status}: ${await r.text()}`)
    await r.arrayBuffer()
  }
  const samples = new Float64Array(requests)
  for (let i = 0; i < requests; i++) {
    await yieldToLoop()
    const t = performance.now()
    const r = await app.handle(new Request(`http://localhost${path}`, { headers }))
    await r.arrayBuffer()
    samples[i] = performance.now() - t
  }
  samples.sort()
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) }
}

const READS = [
  { name: "GET /v1/usage/current", path: "/v1/usage/current", as: "key" },
  { name: "GET /v1/usage/history?limit=50", path: "/v1/usage/history?limit=50", as: "key" },
  { name: "GET /v1/usage/daily", path: "/v1/usage/daily", as: "key" },
  { name: "GET /v1/billing", path: "/v1/billing", as: "session" },
  // The console's catalogue: from the catalogue's cache, whatever the usage rows.
  { name: "GET /v1/agents", path: "/v1/agents", as: "key" },
  { name: "GET /v1/agents/{alias}", path: "/v1/agents/title-generator", as: "key" },
  { name: "GET /admin/billing/reconciliation", path: `/admin/billing/reconciliation?period=${periodOf(Date.now())}`, as: "admin" },
] as const

const ADMIN_TOKEN = "bench-usage-admin-token-0123456789abcdef"
const OPERATOR_TARGET_MS = 100

const round = (ms: number) => Math.round(ms * 100) / 100

const STALL_TARGET_MS = 20

/**
 * The longest the event loop went without running a 1 ms timer, minus that
 * millisecond: how long one piece of synchronous work (a SQLite query runs
 * on the loop) held every other request up.
 */
// BENCH_STALL_TRACE=1 prints every stall over 10 ms with what the bench was doing when it ended.
const TRACE = process.env.BENCH_STALL_TRACE === "1"
let activity = "idle"
const doing = (what: string) => void (activity = what)

const stallMonitor = () => {
  let last = performance.now()
  let longest = 0
  const timer = setInterval(() => {
    const now = performance.now()
    const gap = now - last - 1
    if (TRACE && gap > 10) console.log(`stall ${gap.toFixed(1)} ms during: ${activity}`)
    longest = Math.max(longest, gap)
    last = now
  }, 1)
  return () => {
    clearInterval(timer)
    return Math.max(longest, performance.now() - last - 1)
  }
}

/** Lets timers run between requests, so the stall monitor sees one request at a time. */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * Paid calls through the real server, `concurrency` at a time until
 * `stop()`: the load the stall is measured beside. Returns how many were paid.
 */
const payingCallers = async (runtime: AppRuntime, base: string, concurrency: number, email: string, faucetBase: string = base) => {
  const { key } = await fundedKey(runtime, base, ADMIN_TOKEN, email, faucetBase)
  let running = true
  let paid = 0
  const callers = Array.from({ length: concurrency }, async () => {
    while (running) {
      await callThroughGateway(base, key)
      paid++
    }
  })
  return {
    stop: async () => {
      running = false
      await Promise.all(callers)
      return paid
    },
  }
}

/** The server (and so its sandbox marketplace) in a process of its own, on an in-memory database. */
const remoteMarketplace = async () => {
  const port = freePort()
  const dir = mkdtempSync(`${tmpdir()}/tdk-bench-market-`)
  const proc = Bun.spawn([process.execPath, `${import.meta.dir}/../src/main.ts`, "serve"], {
    env: { ...process.env, PORT: String(port), DATABASE_URL: "sqlite::memory:", DATA_DIR: dir, LOG_LEVEL: "error" },
    stdout: "ignore",
    stderr: "ignore",
  })
  const base = `http://127.0.0.1:${port}`
  const close = async () => {
    proc.kill()
    await proc.exited
    rmSync(dir, { recursive: true, force: true })
  }
  for (const deadline = Date.now() + 30_000; ; ) {
    const ready = await fetch(`${base}/readyz`).then((r) => r.ok, () => false)
    if (ready) return { base, close }
    if (Date.now() > deadline) {
      await close()
      throw new Error("the marketplace process did not start")
    }
    await Bun.sleep(100)
  }
}

const measureDialect = async (dialect: "sqlite" | "postgres", url: string): Promise<Array<Row>> => {
  const handle = dialect === "sqlite" ? openDatabase({ dialect: "sqlite", path: ":memory:" }) : openDatabase({ dialect: "postgres", url })
  const port = freePort()
  const base = `http://127.0.0.1:${port}`
  const env = {
    DATABASE_URL: dialect === "sqlite" ? "sqlite::memory:" : url,
    LOG_LEVEL: "error",
    WALLET_ENCRYPTION_KEYS: `bench:${"22".repeat(32)}`,
    ADMIN_TOKEN,
    PORT: String(port),
    TETTO_API_URL: `${base}/sandbox/tetto`,
    SOLANA_RPC_URL: `${base}/sandbox/solana`,
    DATA_DIR: mkdtempSync(`${tmpdir()}/tdk-bench-reads-`),
  }
  const config = loadConfig(env)
  const runtime = makeRuntime(config, { database: handle, sink: () => {} })
  const app = createApp(config, runtime)
  const server = Bun.serve({ port, hostname: "127.0.0.1", fetch: (request) => app.handle(request) })
  const rows: Array<Row> = []
  try {
    await runMigrations(handle)
    for (let k = 0; k < OTHER_KEYS; k++) {
      const other = await insertUserAndKey(handle, 1_000 + k)
      await insertRows(handle, other.keyId, other.userId, OTHER_ROWS_PER_KEY, 10_000_000 + k * OTHER_ROWS_PER_KEY)
    }
    const heavy = await registerHeavyUser(app)
    const results: Record<string, Record<number, { p50: number; p99: number }>> = {}
    let inserted = 0
    for (const size of [SMALL, LARGE]) {
      const started = performance.now()
      await insertRows(handle, heavy.keyId, heavy.userId, size - inserted, inserted)
      inserted = size
      await buildCounters(handle)
      console.log(`usage-reads (${dialect}): the key holds ${size.toLocaleString("en")} rows (seeded in ${Math.round(performance.now() - started)} ms)`)
      // Warm every route and the close first: the first request to a route
      // compiles it, which is start-up work, not what a request costs.
      for (const read of READS) await timeRequests(app, read.path, read.as === "key" ? heavy.key : read.as === "session" ? heavy.session : ADMIN_TOKEN, 1)
      await runtime.runPromise(closeBillingPeriod(periodOf(Date.now())))
      await yieldToLoop()
      const stopMonitor = stallMonitor()
      for (const read of READS) {
        const bearer = read.as === "key" ? heavy.key : read.as === "session" ? heavy.session : ADMIN_TOKEN
        const r = await timeRequests(app, read.path, bearer, read.as === "admin" ? 30 : REQUESTS)
        ;(results[read.name] ??= {})[size] = r
        rows.push({ case: `${read.name}, ${dialect}`, rows: size, "p50 ms": round(r.p50), "p99 ms": round(r.p99), note: "" })
      }
      // The monthly close of this month (the job closes the last one; the work is the same).
      const closes = new Float64Array(10)
      for (let i = 0; i < closes.length; i++) {
        await yieldToLoop()
        const t = performance.now()
        await runtime.runPromise(closeBillingPeriod(periodOf(Date.now())))
        closes[i] = performance.now() - t
      }
      closes.sort()
      ;(results["monthly close"] ??= {})[size] = { p50: percentile(closes, 50), p99: percentile(closes, 99) }
      rows.push({ case: `monthly close, ${dialect}`, rows: size, "p50 ms": round(percentile(closes, 50)), "p99 ms": round(percentile(closes, 99)), note: "" })
      const stall = stopMonitor()
      rows.push({
        case: `largest event-loop stall during these reads, ${dialect}`,
        rows: size,
        "p50 ms": "",
        "p99 ms": "",
        note: `${round(stall)} ms${size === LARGE && dialect === "sqlite" ? ` — target < ${STALL_TARGET_MS} ms ${stall < STALL_TARGET_MS ? "met" : "NOT met"}` : ""}`,
      })
    }
    for (const name of [...READS.map((r) => r.name), "monthly close"]) {
      const small = results[name]![SMALL]!
      const large = results[name]![LARGE]!
      const growth = large.p50 / small.p50
      const operator = name === "monthly close" || name.startsWith("GET /admin")
      const met = operator ? large.p50 < OPERATOR_TARGET_MS : large.p50 < P50_TARGET_MS && growth <= GROWTH_TARGET
      rows.push({
        case: operator ? `target: ${name}, ${dialect}: p50 < ${OPERATOR_TARGET_MS} ms at ${LARGE.toLocaleString("en")}` : `target: ${name}, ${dialect}: p50 < ${P50_TARGET_MS} ms at ${LARGE.toLocaleString("en")}, growth ≤ ${GROWTH_TARGET}×`,
        rows: LARGE,
        "p50 ms": round(large.p50),
        "p99 ms": "",
        note: `${growth.toFixed(2)}× — ${met ? "met" : "NOT met"}`,
      })
    }
    // The stall beside paid calls: the reads, a reconciliation and the close
    // again at the large size while four callers pay agents through the server.
    const besidePaidCalls = async (on: { readonly app: typeof app; readonly runtime: AppRuntime; readonly base: string }, email: string, faucetBase?: string) => {
      const payers = await payingCallers(on.runtime, on.base, 4, email, faucetBase)
      await Bun.sleep(500)
      const stopMonitor = stallMonitor()
      for (let round = 0; round < 3; round++) {
        for (const read of READS) {
          doing(read.name)
          await timeRequests(on.app, read.path, read.as === "key" ? heavy.key : read.as === "session" ? heavy.session : ADMIN_TOKEN, 20)
        }
        doing("between reads and close")
        await yieldToLoop()
        doing("monthly close")
        await on.runtime.runPromise(closeBillingPeriod(periodOf(Date.now())))
        doing("idle")
      }
      const stall = stopMonitor()
      return { stall, paid: await payers.stop() }
    }
    const goalNote = (stall: number) => ` — target < ${STALL_TARGET_MS} ms ${stall < STALL_TARGET_MS ? "met" : "NOT met"}`
    // The sandbox marketplace in a process of its own, as the real marketplace is remote: the
    // loop measured then runs the gateway's work only (in this process it also runs the stand-in's).
    if (dialect === "sqlite") {
      const market = await remoteMarketplace()
      const port2 = freePort()
      const base2 = `http://127.0.0.1:${port2}`
      const config2 = loadConfig({ ...env, PORT: String(port2), TETTO_API_URL: `${market.base}/sandbox/tetto`, SOLANA_RPC_URL: `${market.base}/sandbox/solana` })
      const runtime2 = makeRuntime(config2, { database: handle, sink: () => {} })
      const app2 = createApp(config2, runtime2)
      const server2 = Bun.serve({ port: port2, hostname: "127.0.0.1", fetch: (request) => app2.handle(request) })
      try {
        const { stall, paid } = await besidePaidCalls({ app: app2, runtime: runtime2, base: base2 }, "payer-remote@bench.local", market.base)
        rows.push({
          case: `largest event-loop stall: reads, reconciliation and close beside paid calls, the marketplace in its own process, ${dialect}`,
          rows: LARGE,
          "p50 ms": "",
          "p99 ms": "",
          note: `${round(stall)} ms with ${paid} paid calls alongside (4 at a time)${goalNote(stall)}`,
        })
      } finally {
        server2.stop(true)
        await runtime2.dispose()
        await market.close()
      }
    }
    const { stall, paid } = await besidePaidCalls({ app, runtime, base }, "payer@bench.local")
    rows.push({
      case: `largest event-loop stall: reads, reconciliation and close beside paid calls, the marketplace in this process, ${dialect}`,
      rows: LARGE,
      "p50 ms": "",
      "p99 ms": "",
      note: `${round(stall)} ms with ${paid} paid calls alongside (4 at a time)${dialect === "sqlite" ? " (for reference)" : ""}`,
    })
  } finally {
    server.stop(true)
    await runtime.dispose()
    await closeDatabase(handle)
  }
  return rows
}

export const usageReadsBenchmark: Benchmark = {
  name: "usage-reads",
  run: async () => {
    const rows = await measureDialect("sqlite", "")
    // BENCH_DIALECTS=sqlite measures SQLite alone (a quicker run while working on it).
    if (process.env.BENCH_DIALECTS === "sqlite") return rows
    let pg: Awaited<ReturnType<typeof startPostgres>> | undefined
    try {
      pg = await startPostgres()
    } catch (e) {
      rows.push({ case: "postgres", rows: "", "p50 ms": "", "p99 ms": "", note: `skipped: no Postgres server could be started (${String(e).slice(0, 80)})` })
    }
    if (pg) {
      try {
        rows.push(...(await measureDialect("postgres", pg.url)))
      } finally {
        await pg.stop()
      }
    }
    return rows
  },
}

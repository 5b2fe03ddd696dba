// The gateway on Postgres + Redis against the gateway on SQLite, in one run
// (issue: a Postgres path within 2× of SQLite). The same set-up as
// bench/gateway.ts (gateway and sandbox in one process on a loopback port)
// on each store in turn:
//   - SQLite as it runs by default, a file in DATA_DIR (WAL), with the
//     in-memory limiter: the baseline the goals are measured against;
//   - SQLite in memory, for reference (what the other benches use);
//   - a Postgres and a Redis started here, RATE_LIMIT_BACKEND=redis.
// Per store:
//   - throughput at concurrency 8 (calls/s);
//   - overhead p50 at concurrency 1: time in the handler minus time in the
//     Marketplace methods (overhead A of bench/gateway.ts). All three stores
//     are up at once and their calls interleave (one of each in turn), so a
//     slow spell of the machine weighs on each alike: measured store after
//     store, minutes apart, the ratio moved with the machine (1.7–2.6×);
//   - on Postgres, commits per paid call: pg_stat_database's xact_commit over
//     a pass of gateway calls, per call, less the same over a pass of direct
//     protocol calls (about 0).
// The sandbox stands in for the remote marketplace and runs in this process,
// so it must cost the same in every run: it keeps its ledger in a SQLite file
// in DATA_DIR in the file and Postgres runs (in memory only beside an
// in-memory gateway), and only the gateway's own work is on the store
// measured.
// Goals: at most 2 commits per paid call; overhead p50 at most 2× SQLite's;
// throughput at least 0.9 of SQLite's.
import { Keypair } from "@solana/web3.js"
import { Layer, ManagedRuntime } from "effect"
import postgres from "postgres"
import { createApp } from "../src/app/app"
import { appLayer, type AppRuntime } from "../src/app/layers"
import { loadConfig } from "../src/platform/config/config"
import { closeDatabase, openDatabase } from "../src/platform/db/database"
import { runMigrations } from "../src/platform/db/migrations"
import { freePort, startPostgres, startRedis } from "../scripts/services"
import { drive, recordingServer, summary, timedNetworks } from "./gateway"
import { callDirectly, callThroughGateway, fund, fundedKey } from "./sandbox-client"
import type { Benchmark } from "./registry"
import { percentile, type Row } from "./stats"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"

const CONCURRENCY = 8
const CALLS = 400
const SERIAL_CALLS = 150
const WARMUP = 30
const ADMIN_TOKEN = "bench-admin-token-0123456789abcdef"
const COMMITS_TARGET = 2
const OVERHEAD_RATIO_TARGET = 2
const THROUGHPUT_RATIO_TARGET = 0.9

type Measured = { readonly callsPerSecond: number; readonly p50Ms: number; readonly overheadP50Us: number; readonly commitsPerCall: number | undefined; readonly distinct: boolean }

/** One store's gateway, up and warmed: its phases, run by the benchmark in the order it chooses. */
const open = async (env: Record<string, string>, databaseUrlIn: (dataDir: string) => string) => {
  const port = freePort()
  const dataDir = mkdtempSync(`${tmpdir()}/tdk-bench-gw-`)
  const databaseUrl = databaseUrlIn(dataDir)
  const base = `http://127.0.0.1:${port}`
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    WALLET_ENCRYPTION_KEYS: `bench:${"42".repeat(32)}`,
    PORT: String(port),
    TETTO_API_URL: `${base}/sandbox/tetto`,
    SOLANA_RPC_URL: `${base}/sandbox/solana`,
    ADMIN_TOKEN,
    LOG_LEVEL: "error",
    DATA_DIR: dataDir,
    ...env,
  })
  const handle = openDatabase(config.database)
  await runMigrations(handle)
  // With a Postgres gateway the sandbox would live in its database too: kept
  // in its own SQLite file in DATA_DIR instead (sandbox/db.ts), as in the SQLite file run.
  const sandboxDatabase = config.database.dialect === "postgres" ? openDatabase({ dialect: "sqlite", path: ":memory:" }) : undefined
  const app0 = appLayer(config, { database: handle, sink: () => {}, ...(sandboxDatabase ? { sandboxDatabase } : {}) })
  const runtime: AppRuntime = ManagedRuntime.make(Layer.mergeAll(app0, timedNetworks.pipe(Layer.provide(app0))))
  const app = createApp(config, runtime)
  const server = recordingServer(port, app)
  const stats = databaseUrl.startsWith("postgres") ? postgres(databaseUrl, { max: 1, onnotice: () => {} }) : undefined
  const close = async () => {
    server.stop()
    await stats?.end({ timeout: 5 })
    await runtime.dispose()
    await closeDatabase(handle)
    if (sandboxDatabase) await closeDatabase(sandboxDatabase)
    rmSync(dataDir, { recursive: true, force: true })
  }
  try {
    const { key } = await fundedKey(runtime, base, ADMIN_TOKEN, "bench@example.com")
    const signatures = new Set<string>()
    let calls = 0
    const viaGateway = async () => {
      signatures.add(await callThroughGateway(base, key))
      calls++
    }
    const payer = Keypair.generate()
    await fund(base, payer.publicKey.toBase58())
    const direct = () => callDirectly(base, payer)
    await drive(WARMUP, 1, viaGateway)
    await drive(WARMUP, 1, direct)
    return {
      /** Throughput and latency at concurrency 8. */
      concurrent: async () => summary([await drive(CALLS, CONCURRENCY, viaGateway)]),
      /** One call at concurrency 1, its time in the handler less the marketplace's kept. */
      recordOne: async () => {
        server.state.recording = true
        await viaGateway()
        server.state.recording = false
      },
      overheadP50Us: () => percentile(server.serverSide.map((x) => (x.totalMs - x.marketplaceMs) * 1000).sort((a, b) => a - b), 50),
      /**
       * Postgres commits per paid call: pg_stat_database's xact_commit over a
       * pass of gateway calls, per call, less the same over a pass of direct
       * protocol calls (about 0). Backends report their commits when idle,
       * within 10 s (PGSTAT_IDLE_INTERVAL in Postgres 15+): read once every backend has.
       */
      commitsPerCall: async (): Promise<number | undefined> => {
        if (!stats) return undefined
        const commits = async () => {
          await Bun.sleep(11_000)
          return Number((await stats`select xact_commit from pg_stat_database where datname = current_database()`)[0]!.xact_commit)
        }
        // Autovacuum's own transactions count in xact_commit too: off while counting (a throwaway server).
        await stats.unsafe("alter system set autovacuum = off").then(() => stats.unsafe("select pg_reload_conf()"))
        const c0 = await commits()
        await drive(SERIAL_CALLS, 1, viaGateway)
        const c1 = await commits()
        await drive(SERIAL_CALLS, 1, direct)
        const c2 = await commits()
        // Each commits() read is itself a transaction; it counts once in each pass, alike.
        return (c1 - c0 - (c2 - c1)) / SERIAL_CALLS
      },
      distinct: () => signatures.size === calls,
      close,
    }
  } catch (e) {
    await close()
    throw e
  }
}

type Opened = Awaited<ReturnType<typeof open>>

/**
 * The stores' figures, measured so that a slow spell of the machine weighs on
 * each alike: throughput store by store (concurrency 8 would contend across
 * stores), then the overhead calls interleaved, one call of each store in
 * turn, then the Postgres commits.
 */
const measureAll = async (stores: ReadonlyArray<Opened>): Promise<Array<Measured>> => {
  const concurrent = []
  for (const store of stores) concurrent.push(await store.concurrent())
  for (let i = 0; i < SERIAL_CALLS; i++) for (const store of stores) await store.recordOne()
  const measured: Array<Measured> = []
  for (const [i, store] of stores.entries())
    measured.push({ callsPerSecond: concurrent[i]!.callsPerSecond, p50Ms: concurrent[i]!.p50, overheadP50Us: store.overheadP50Us(), commitsPerCall: await store.commitsPerCall(), distinct: store.distinct() })
  return measured
}

export const gatewayPostgresBenchmark: Benchmark = {
  name: "gateway-postgres",
  run: async () => {
    const rows: Array<Row> = []
    const pg = await startPostgres()
    const redis = await startRedis()
    const stores: Array<Opened> = []
    let lite: Measured, memory: Measured, heavy: Measured
    try {
      stores.push(await open({}, (dataDir) => `sqlite:${dataDir}/tdk.db`))
      stores.push(await open({}, () => "sqlite::memory:"))
      stores.push(await open({ RATE_LIMIT_BACKEND: "redis", REDIS_URL: redis.url }, () => pg.url))
      ;[lite, memory, heavy] = (await measureAll(stores)) as [Measured, Measured, Measured]
    } finally {
      for (const store of stores) await store.close()
      await redis.stop()
      await pg.stop()
    }
    const row = (name: string, m: Measured): Row => ({
      case: name,
      "calls/s (c=8)": Math.round(m.callsPerSecond),
      "p50 ms (c=8)": Math.round(m.p50Ms * 100) / 100,
      "overhead p50 µs (c=1)": Math.round(m.overheadP50Us),
      "commits per paid call": m.commitsPerCall === undefined ? "" : Math.round(m.commitsPerCall * 100) / 100,
      note: m.distinct ? "every call its own signature" : "DUPLICATE signatures",
    })
    rows.push(row("SQLite file (the default), in-memory limiter", lite), row("  SQLite in memory, for reference", memory), row("Postgres + Redis limiter", heavy))
    const overheadRatio = heavy.overheadP50Us / lite.overheadP50Us
    const throughputRatio = heavy.callsPerSecond / lite.callsPerSecond
    const goal = (name: string, value: string, met: boolean): Row => ({ case: name, "calls/s (c=8)": "", "p50 ms (c=8)": "", "overhead p50 µs (c=1)": "", "commits per paid call": "", note: `${value} — ${met ? "met" : "NOT met"}` })
    rows.push(
      goal(`target: Postgres commits per paid call ≤ ${COMMITS_TARGET}`, (heavy.commitsPerCall ?? 0).toFixed(2), (heavy.commitsPerCall ?? Infinity) <= COMMITS_TARGET + 0.05),
      goal(`target: Postgres overhead p50 ≤ ${OVERHEAD_RATIO_TARGET}× SQLite's`, `${overheadRatio.toFixed(2)}×`, overheadRatio <= OVERHEAD_RATIO_TARGET),
      goal(`target: Postgres throughput (c=8) ≥ ${THROUGHPUT_RATIO_TARGET} × SQLite's`, `${throughputRatio.toFixed(2)}×`, throughputRatio >= THROUGHPUT_RATIO_TARGET),
    )
    return rows
  },
}

// API key verification latency (issue 3): the real `ApiKeys.authenticate`
// over an in-memory SQLite database built with the app runtime, at 1,000 and
// 100,000 keys, against the seed's approach (bcrypt cost 12, compared with
// every active key) at 100 keys.
//
// Two runtimes share one database: KEY_CACHE_TTL_MS=0 measures the lookup
// path (format + checksum, SHA-256, one indexed read), which is what could
// grow with the key count; the default cache measures a warm repeat caller.
// Each sample times one `authenticate` inside a single Effect, so the numbers
// are the step itself, not `runPromise`. Every sampled key is used once
// before timing: that fills the warm cache and spends the key's forked
// `last_used_at` write, which is made at most once a minute per key and so is
// not part of the steady-state path.
import { Effect } from "effect"
import { makeRuntime } from "../src/app/layers"
import { displayPrefix, generateApiKey, hashApiKey } from "../src/modules/keys/key-format"
import { newStorageNamespace } from "../src/modules/keys/storage-namespace"
import { ApiKeys } from "../src/modules/keys/verifier"
import { loadConfig } from "../src/platform/config/config"
import { closeDatabase, openDatabase, type SqliteDb } from "../src/platform/db/database"
import { runMigrations } from "../src/platform/db/migrations"
import { apiKeys, users } from "../src/platform/db/schema.sqlite"
import { newId } from "../src/platform/ids"
import type { Benchmark } from "./registry"
import { percentile, type Row } from "./stats"

const SMALL = 1_000
const LARGE = 100_000
const KEYS_PER_USER = 10
// Keys timed per size (drawn at random from all inserted) and timed calls.
const SAMPLE = 5_000
const ITERATIONS = 5_000
const SEED_KEYS = Number(process.env.BENCH_SEED_KEYS ?? 100)
const SEED_REQUESTS = 3
const P50_TARGET_US = 50
const GROWTH_TARGET = 1.5

/** Inserts keys [from, to) with their users, in transactions of 500 rows; returns the plaintext keys. */
const insertKeys = (db: SqliteDb, from: number, to: number): Array<string> => {
  const plain: Array<string> = []
  const now = Date.now()
  for (let start = from; start < to; start += 500) {
    const end = Math.min(to, start + 500)
    const userRows: Array<typeof users.$inferInsert> = []
    const keyRows: Array<typeof apiKeys.$inferInsert> = []
    let userId = ""
    for (let i = start; i < end; i++) {
      if (i % KEYS_PER_USER === 0 || userId === "") {
        userId = newId("usr", now)
        userRows.push({ id: userId, email: `bench${i}@example.com`, passwordHash: "x", tier: "free", createdAt: now })
      }
      const key = generateApiKey("live")
      plain.push(key)
      keyRows.push({ id: newId("key", now), userId, keyHash: hashApiKey(key), prefix: displayPrefix(key), name: "bench", environment: "live", tier: "free", status: "active", createdAt: now, storageNamespace: newStorageNamespace() })
    }
    db.transaction((tx) => {
      tx.insert(users).values(userRows).run()
      tx.insert(apiKeys).values(keyRows).run()
    })
  }
  return plain
}

const pick = <A>(all: ReadonlyArray<A>, n: number): Array<A> => Array.from({ length: n }, () => all[Math.floor(Math.random() * all.length)]!)

type Runtime = ReturnType<typeof makeRuntime>

/** Warms every header once, then times `ITERATIONS` calls on random headers; µs per call and calls/s. */
const measure = (runtime: Runtime, headers: ReadonlyArray<string>) =>
  runtime.runPromise(
    Effect.gen(function* () {
      const api = yield* ApiKeys
      for (const h of headers) yield* api.authenticate(h)
      // Let the forked last_used writes of the warm-up finish outside the timed loop.
      yield* Effect.promise(() => Bun.sleep(50))
      const order = pick(headers, ITERATIONS)
      const samples = new Float64Array(ITERATIONS)
      const start = performance.now()
      for (let i = 0; i < ITERATIONS; i++) {
        const t = performance.now()
        yield* api.authenticate(order[i])
        samples[i] = (performance.now() - t) * 1000
      }
      const seconds = (performance.now() - start) / 1000
      const sorted = Array.from(samples).sort((a, b) => a - b)
      return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), opsPerSecond: Math.round(ITERATIONS / seconds) }
    }),
  )

/** The seed: bcrypt-hash every key, then try each stored hash in turn until one matches. */
const seedApproach = async () => {
  const keys = Array.from({ length: SEED_KEYS }, () => generateApiKey("live"))
  const hashStart = performance.now()
  const hashes = await Promise.all(keys.map((k) => Bun.password.hash(k, { algorithm: "bcrypt", cost: 12 })))
  const hashSeconds = (performance.now() - hashStart) / 1000
  // Worst case: the caller's key is the last one compared.
  const presented = keys[keys.length - 1]!
  const requests: Array<number> = []
  for (let r = 0; r < SEED_REQUESTS; r++) {
    const t = performance.now()
    for (const h of hashes) if (await Bun.password.verify(presented, h)) break
    requests.push(performance.now() - t)
  }
  requests.sort((a, b) => a - b)
  return { requestsMs: requests, hashSeconds }
}

const us = (n: number) => Math.round(n * 10) / 10

export const keysBenchmark: Benchmark = {
  name: "keys",
  run: async () => {
    const handle = openDatabase({ dialect: "sqlite", path: ":memory:" })
    await runMigrations(handle)
    if (handle.kind !== "sqlite") throw new Error("unreachable")
    const env = { DATABASE_URL: "sqlite::memory:", LOG_LEVEL: "error", WALLET_ENCRYPTION_KEYS: `bench:${"42".repeat(32)}` } as const
    const noCache = makeRuntime(loadConfig({ ...env, KEY_CACHE_TTL_MS: "0" }), { database: handle, sink: () => {} })
    const cached = makeRuntime(loadConfig({ ...env, KEY_CACHE_TTL_MS: "300000" }), { database: handle, sink: () => {} })
    const rows: Array<Row> = []
    try {
      const results: Record<number, { lookup: Awaited<ReturnType<typeof measure>>; warm: Awaited<ReturnType<typeof measure>> }> = {}
      const keys: Array<string> = []
      for (const size of [SMALL, LARGE]) {
        const t = performance.now()
        keys.push(...insertKeys(handle.db, keys.length, size))
        console.error(`keys: ${size.toLocaleString("en")} keys in the table (inserted in ${Math.round(performance.now() - t)} ms)`)
        const headers = pick(keys, SAMPLE).map((k) => `Bearer ${k}`)
        results[size] = { lookup: await measure(noCache, headers), warm: await measure(cached, headers) }
      }
      for (const size of [SMALL, LARGE]) {
        const r = results[size]!
        rows.push({ case: "authenticate, lookup (KEY_CACHE_TTL_MS=0)", keys: size, "p50 µs": us(r.lookup.p50), "p99 µs": us(r.lookup.p99), "ops/s": r.lookup.opsPerSecond, note: "" })
        rows.push({ case: "authenticate, warm cache", keys: size, "p50 µs": us(r.warm.p50), "p99 µs": us(r.warm.p99), "ops/s": r.warm.opsPerSecond, note: "" })
      }

      console.error(`keys: bcrypt cost 12 for ${SEED_KEYS} keys, then ${SEED_REQUESTS} worst-case requests (about ${Math.round((SEED_KEYS * SEED_REQUESTS) / 4)} s)`)
      const seed = await seedApproach()
      const median = percentile(seed.requestsMs, 50)
      rows.push({
        case: "seed: bcrypt-12 compare against every key (worst case)",
        keys: SEED_KEYS,
        "p50 µs": Math.round(median * 1000),
        "p99 µs": Math.round(seed.requestsMs[seed.requestsMs.length - 1]! * 1000),
        "ops/s": Math.round((1000 / median) * 100) / 100,
        note: `${SEED_REQUESTS} requests: ${seed.requestsMs.map((m) => `${Math.round(m)} ms`).join(", ")} (p99 = slowest)`,
      })

      const large = results[LARGE]!.lookup.p50
      const small = results[SMALL]!.lookup.p50
      const growth = large / small
      rows.push({ case: `target: lookup p50 < ${P50_TARGET_US} µs at 100k keys`, keys: LARGE, "p50 µs": us(large), "p99 µs": "", "ops/s": "", note: large < P50_TARGET_US ? "met" : "NOT met" })
      rows.push({
        case: `target: p50(100k) ≤ ${GROWTH_TARGET} × p50(1k)`,
        keys: LARGE,
        "p50 µs": "",
        "p99 µs": "",
        "ops/s": "",
        note: `${growth.toFixed(2)}× — ${growth <= GROWTH_TARGET ? "met" : "NOT met"}`,
      })
      rows.push({
        case: "seed request ÷ lookup p50 at 100k",
        keys: "",
        "p50 µs": "",
        "p99 µs": "",
        "ops/s": "",
        note: `${Math.round((median * 1000) / large).toLocaleString("en")}× slower, with 1,000× fewer keys`,
      })
      return rows
    } finally {
      await noCache.dispose()
      await cached.dispose()
      await closeDatabase(handle)
    }
  },
}

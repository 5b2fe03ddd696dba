// Signer throughput with a warm cache, and the latency of a cache miss
// (row read + AES-GCM open + key import + public-key check + sign), on an
// in-memory SQLite pool.
import { Effect } from "effect"
import { makeRuntime } from "../src/app/layers"
import { generateWallets } from "../src/modules/pool/service"
import { Signer } from "../src/modules/pool/signer"
import { loadConfig } from "../src/platform/config/config"
import { closeDatabase, openDatabase } from "../src/platform/db/database"
import { runMigrations } from "../src/platform/db/migrations"
import type { Benchmark } from "./registry"

const pct = (sorted: ReadonlyArray<number>, p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!

export const poolBenchmark: Benchmark = {
  name: "pool",
  run: async () => {
    const handle = openDatabase({ dialect: "sqlite", path: ":memory:" })
    await runMigrations(handle)
    const config = loadConfig({ DATABASE_URL: "sqlite::memory:", LOG_LEVEL: "error", WALLET_ENCRYPTION_KEYS: `bench:${"42".repeat(32)}` })
    const runtime = makeRuntime(config, { database: handle, sink: () => {} })
    try {
      const ids = await runtime.runPromise(generateWallets(200))
      const message = new Uint8Array(300).fill(1) // about a two-transfer transaction message
      const signer = await runtime.runPromise(Effect.gen(function* () {
        return yield* Signer
      }))

      // Cold: every signature is a miss (cache cleared before each).
      const miss: Array<number> = []
      for (let round = 0; round < 5; round++) {
        for (const id of ids) {
          await runtime.runPromise(signer.clear())
          const t = performance.now()
          await runtime.runPromise(signer.sign(id, message))
          miss.push((performance.now() - t) * 1000)
        }
      }
      miss.sort((a, b) => a - b)

      // Warm: one wallet, cached; signs run inside one Effect to measure the signer, not runPromise.
      const n = 20_000
      await runtime.runPromise(signer.sign(ids[0]!, message))
      const t = performance.now()
      await runtime.runPromise(Effect.gen(function* () {
        for (let i = 0; i < n; i++) yield* signer.sign(ids[0]!, message)
      }))
      const warmSeconds = (performance.now() - t) / 1000

      return [
        { case: "sign, warm cache", "signs/s": Math.round(n / warmSeconds), "p50 µs": "", "p99 µs": "" },
        { case: "sign, cache miss (decrypt)", "signs/s": Math.round(1e6 / (miss.reduce((a, b) => a + b, 0) / miss.length)), "p50 µs": Math.round(pct(miss, 50)), "p99 µs": Math.round(pct(miss, 99)) },
      ]
    } finally {
      await runtime.dispose()
      await closeDatabase(handle)
    }
  },
}

// Gateway throughput and overhead (issue 6). One process serves the gateway
// and the sandbox marketplace on a real loopback port; the gateway's
// marketplace client reaches the sandbox over HTTP, exactly as it would reach
// mainnet. The application database and the sandbox ledger are SQLite in
// memory.
//
// Gateway: `POST /v1/agents/title-generator` with an API key whose limits are
// raised so no rate limit or quota interferes. Direct: the Tetto protocol by
// hand against the same sandbox (build-transaction → sign with a web3.js
// Keypair → call), over HTTP, from a funded payer. Both at a fixed concurrency
// for a fixed number of calls, alternating rounds so drifting machine load
// hits both alike.
//
// Overhead per call is measured two ways, both at concurrency 1 so that no
// other request's work is counted:
//   A. time inside the gateway's HTTP handler minus time spent inside the
//      Marketplace service's methods, timed by a Layer that decorates the real
//      HTTP client (the bench runtime swaps it in; nothing is patched). The
//      marketplace time includes the client's own request/decoding work,
//      which a direct caller also does.
//   B. p50 client-observed latency through the gateway minus p50 of the
//      direct protocol calls.
// Client, gateway and sandbox share one event loop, so at concurrency 8 the
// sandbox's own work competes with the gateway's; the ratio is still the
// cost of putting the gateway in front of the same marketplace.
import { Keypair } from "@solana/web3.js"
import { Effect, Layer, ManagedRuntime } from "effect"
import { createApp, type App } from "../src/app/app"
import { appLayer, type AppRuntime } from "../src/app/layers"
import type { MarketplaceShape } from "../src/modules/marketplace/service"
import { Networks } from "../src/modules/network/service"
import { loadConfig } from "../src/platform/config/config"
import { closeDatabase, openDatabase } from "../src/platform/db/database"
import { runMigrations } from "../src/platform/db/migrations"
import { freePort } from "../scripts/services"
import type { Benchmark } from "./registry"
import { callDirectly, callThroughGateway, fund, fundedKey } from "./sandbox-client"
import { makeSpanProfile } from "./span-profile"
import { percentile, type Row } from "./stats"

const CONCURRENCY = 8
const CALLS = 500
const ROUNDS = 2
const SERIAL_CALLS = 200
// Calls of the final pass that splits the gateway's time by pipeline step.
const PROFILE_CALLS = 200
const PROFILE_ROWS = 12
const WARMUP = 30
const THROUGHPUT_TARGET = 0.6
const OVERHEAD_TARGET_US = 1000
const ADMIN_TOKEN = "bench-admin-token-0123456789abcdef"

/** Milliseconds spent inside Marketplace methods since the last reset (meaningful at concurrency 1). */
export const marketplaceClock = { ms: 0, calls: 0 }

/** The live network with its real HTTP marketplace client, each method timed. */
export const timedNetworks = Layer.effect(
  Networks,
  Effect.gen(function* () {
    const networks = yield* Networks
    const inner = networks.live.marketplace
    const timed =
      <Args extends ReadonlyArray<unknown>, A, E>(f: (...args: Args) => Effect.Effect<A, E>) =>
      (...args: Args) =>
        Effect.suspend(() => {
          const t = performance.now()
          return f(...args).pipe(
            Effect.ensuring(
              Effect.sync(() => {
                marketplaceClock.ms += performance.now() - t
                marketplaceClock.calls++
              }),
            ),
          )
        })
    const shape: MarketplaceShape = {
      listAgents: timed(inner.listAgents),
      getAgent: timed(inner.getAgent),
      buildTransaction: timed(inner.buildTransaction),
      call: timed(inner.call),
      getReceipt: timed(inner.getReceipt),
    }
    return { ...networks, live: { ...networks.live, marketplace: shape } }
  }),
)

/** Runs `total` calls of `once`, `concurrency` in flight; latencies in ms and calls/s. */
export const drive = async (total: number, concurrency: number, once: () => Promise<void>) => {
  const latencies: Array<number> = []
  let started = 0
  const start = performance.now()
  const worker = async () => {
    while (started < total) {
      started++
      const t = performance.now()
      await once()
      latencies.push(performance.now() - t)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  const seconds = (performance.now() - start) / 1000
  return { latencies, seconds }
}

export const summary = (runs: ReadonlyArray<{ latencies: ReadonlyArray<number>; seconds: number }>) => {
  const all = runs.flatMap((r) => r.latencies).sort((a, b) => a - b)
  const seconds = runs.reduce((s, r) => s + r.seconds, 0)
  return { callsPerSecond: all.length / seconds, p50: percentile(all, 50), p99: percentile(all, 99), n: all.length }
}

const ms = (n: number) => Math.round(n * 100) / 100

/**
 * Serves `app` on `port`; while `recording`, each agent call's time inside
 * the handler and inside the Marketplace methods is kept (concurrency 1).
 */
export const recordingServer = (port: number, app: App) => {
  const serverSide: Array<{ totalMs: number; marketplaceMs: number }> = []
  const state = { recording: false }
  const server = Bun.serve({
    port,
    hostname: "127.0.0.1",
    fetch: async (request) => {
      if (!state.recording || !request.url.includes("/v1/agents/")) return app.handle(request)
      marketplaceClock.ms = 0
      const t = performance.now()
      const response = await app.handle(request)
      serverSide.push({ totalMs: performance.now() - t, marketplaceMs: marketplaceClock.ms })
      return response
    },
  })
  return { serverSide, state, stop: () => server.stop(true) }
}

export const gatewayBenchmark: Benchmark = {
  name: "gateway",
  run: async () => {
    const port = freePort()
    const base = `http://127.0.0.1:${port}`
    const config = loadConfig({
      DATABASE_URL: "sqlite::memory:",
      WALLET_ENCRYPTION_KEYS: `bench:${"42".repeat(32)}`,
      PORT: String(port),
      TETTO_API_URL: `${base}/sandbox/tetto`,
      SOLANA_RPC_URL: `${base}/sandbox/solana`,
      ADMIN_TOKEN,
      LOG_LEVEL: "error",
    })
    const handle = openDatabase({ dialect: "sqlite", path: ":memory:" })
    await runMigrations(handle)
    // The application Layer with the live marketplace replaced by its timed
    // decoration (the later layer wins; the one app Layer value is built once).
    const spans = makeSpanProfile()
    const app0 = appLayer(config, { database: handle, sink: () => {} })
    const layer = Layer.mergeAll(app0, timedNetworks.pipe(Layer.provide(app0)), spans.layer)
    const runtime: AppRuntime = ManagedRuntime.make(layer)
    const app = createApp(config, runtime)
    // Server-side time of each agent call, ms, and the marketplace time inside it.
    const server = recordingServer(port, app)
    const { serverSide } = server
    try {
      const { key: apiKey } = await fundedKey(runtime, base, ADMIN_TOKEN, "bench@example.com")

      // One payer per concurrent worker: a chain processes a signature once,
      // so a careful direct client pays concurrent calls from distinct wallets
      // (the same wallet, agent and blockhash give the same signed bytes).
      const payers = Array.from({ length: CONCURRENCY }, () => Keypair.generate())
      for (const p of payers) await fund(base, p.publicKey.toBase58())
      const idlePayers = [...payers]
      // Receipt signatures of the gateway's calls: each call must carry a payment of its own.
      const gatewaySignatures = new Set<string>()
      let gatewayCalls = 0

      const viaGateway = async () => {
        gatewaySignatures.add(await callThroughGateway(base, apiKey))
        gatewayCalls++
      }
      const direct = async () => {
        // A payer is never in two calls at once (its previous payment moved the blockhash on).
        const payer = idlePayers.pop()!
        try {
          await callDirectly(base, payer)
        } finally {
          idlePayers.push(payer)
        }
      }

      console.error(`gateway: warm-up (${WARMUP} calls each way)`)
      await drive(WARMUP, 1, viaGateway)
      await drive(WARMUP, 1, direct)

      console.error(`gateway: ${ROUNDS} rounds of ${CALLS / ROUNDS} calls each way at concurrency ${CONCURRENCY}`)
      const gatewayRuns: Array<Awaited<ReturnType<typeof drive>>> = []
      const directRuns: Array<Awaited<ReturnType<typeof drive>>> = []
      for (let round = 0; round < ROUNDS; round++) {
        gatewayRuns.push(await drive(CALLS / ROUNDS, CONCURRENCY, viaGateway))
        directRuns.push(await drive(CALLS / ROUNDS, CONCURRENCY, direct))
      }

      console.error(`gateway: ${SERIAL_CALLS} calls each way at concurrency 1`)
      const before = marketplaceClock.calls
      server.state.recording = true
      const serialGateway = await drive(SERIAL_CALLS, 1, viaGateway)
      server.state.recording = false
      if (marketplaceClock.calls === before) throw new Error("the timed Marketplace layer was not used")
      const serialDirect = await drive(SERIAL_CALLS, 1, direct)

      // Last, so recording spans costs the measurements above nothing.
      console.error(`gateway: ${PROFILE_CALLS} calls at concurrency 1, recording pipeline spans`)
      const serialServerSide = serverSide.splice(0)
      server.state.recording = true
      spans.start()
      await drive(PROFILE_CALLS, 1, viaGateway)
      spans.stop()
      server.state.recording = false
      const profiledHandlerMs = serverSide.reduce((sum, s) => sum + s.totalMs, 0)
      const steps = spans.report()

      const g = summary(gatewayRuns)
      const d = summary(directRuns)
      const g1 = summary([serialGateway])
      const d1 = summary([serialDirect])
      const overheadA = serialServerSide.map((s) => (s.totalMs - s.marketplaceMs) * 1000).sort((a, b) => a - b)
      const insideGateway = serialServerSide.map((s) => s.totalMs * 1000).sort((a, b) => a - b)
      const inMarketplace = serialServerSide.map((s) => s.marketplaceMs * 1000).sort((a, b) => a - b)
      const ratio = g.callsPerSecond / d.callsPerSecond
      const overheadP50 = percentile(overheadA, 50)
      const overheadB = (g1.p50 - d1.p50) * 1000

      const rows: Array<Row> = [
        { case: `gateway, one key, one agent, concurrency ${CONCURRENCY}`, calls: g.n, "calls/s": Math.round(g.callsPerSecond), "p50 ms": ms(g.p50), "p99 ms": ms(g.p99), note: "POST /v1/agents/title-generator" },
        { case: `direct protocol, concurrency ${CONCURRENCY}`, calls: d.n, "calls/s": Math.round(d.callsPerSecond), "p50 ms": ms(d.p50), "p99 ms": ms(d.p99), note: `build → web3.js sign → call, ${CONCURRENCY} payers` },
        {
          case: "  distinct payments through the gateway",
          calls: gatewayCalls,
          "calls/s": "",
          "p50 ms": "",
          "p99 ms": "",
          note: `${gatewaySignatures.size} distinct signatures for ${gatewayCalls} calls — ${gatewaySignatures.size === gatewayCalls ? "met" : "NOT met"}`,
        },
        { case: "gateway, concurrency 1", calls: g1.n, "calls/s": Math.round(g1.callsPerSecond), "p50 ms": ms(g1.p50), "p99 ms": ms(g1.p99), note: "" },
        { case: "direct protocol, concurrency 1", calls: d1.n, "calls/s": Math.round(d1.callsPerSecond), "p50 ms": ms(d1.p50), "p99 ms": ms(d1.p99), note: "" },
        { case: "  inside the gateway handler (c=1)", calls: insideGateway.length, "calls/s": "", "p50 ms": ms(percentile(insideGateway, 50) / 1000), "p99 ms": ms(percentile(insideGateway, 99) / 1000), note: "app.handle, server side" },
        { case: "  of which in Marketplace methods (c=1)", calls: inMarketplace.length, "calls/s": "", "p50 ms": ms(percentile(inMarketplace, 50) / 1000), "p99 ms": ms(percentile(inMarketplace, 99) / 1000), note: "timed Layer over the HTTP client" },
        {
          case: "overhead A: handler − marketplace (c=1)",
          calls: overheadA.length,
          "calls/s": "",
          "p50 ms": ms(overheadP50 / 1000),
          "p99 ms": ms(percentile(overheadA, 99) / 1000),
          note: `p50 ${Math.round(overheadP50)} µs per call`,
        },
        { case: "overhead B: p50 gateway − p50 direct (c=1)", calls: "", "calls/s": "", "p50 ms": ms(overheadB / 1000), "p99 ms": "", note: `${Math.round(overheadB)} µs per call, client-observed` },
        {
          case: `target: gateway ≥ ${THROUGHPUT_TARGET} × direct throughput`,
          calls: "",
          "calls/s": "",
          "p50 ms": "",
          "p99 ms": "",
          note: `${ratio.toFixed(2)}× — ${ratio >= THROUGHPUT_TARGET ? "met" : "NOT met"}`,
        },
        {
          case: `target: overhead p50 < ${OVERHEAD_TARGET_US / 1000} ms (SQLite)`,
          calls: "",
          "calls/s": "",
          "p50 ms": "",
          "p99 ms": "",
          note: `A ${Math.round(overheadP50)} µs — ${overheadP50 < OVERHEAD_TARGET_US ? "met" : "NOT met"}; B ${Math.round(overheadB)} µs — ${overheadB < OVERHEAD_TARGET_US ? "met" : "NOT met"}`,
        },
      ]
      // Per-call means over the profiling pass; self time excludes nested steps.
      const per = (totalMs: number) => Math.round((totalMs * 1000) / PROFILE_CALLS)
      rows.push({ case: `where the handler's time goes (c=1, ${PROFILE_CALLS} calls)`, calls: "", "calls/s": "", "p50 ms": "", "p99 ms": "", note: `handler mean ${per(profiledHandlerMs)} µs/call` })
      // The sandbox answers in this process too: its spans are separate roots that
      // run while a Marketplace.* step waits, so they are shown but not summed.
      const isMarketplaceSide = (name: string) => name.startsWith("Sandbox.")
      for (const step of steps.slice(0, PROFILE_ROWS)) {
        rows.push({
          case: `  step ${step.name}${isMarketplaceSide(step.name) ? " (marketplace side)" : ""}`,
          calls: step.count,
          "calls/s": "",
          "p50 ms": "",
          "p99 ms": "",
          note: `self ${per(step.selfMs)} µs/call, incl. nested ${per(step.totalMs)} µs/call`,
        })
      }
      rows.push({
        case: "  outside any span",
        calls: "",
        "calls/s": "",
        "p50 ms": "",
        "p99 ms": "",
        note: `${per(profiledHandlerMs - spans.rootMs((name) => !isMarketplaceSide(name)))} µs/call (Elysia parse/validate, respond, untraced steps)`,
      })
      return rows
    } finally {
      server.stop()
      await runtime.dispose()
      await closeDatabase(handle)
    }
  },
}

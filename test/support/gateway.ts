// A gateway on a real loopback port, so its marketplace client and Solana
// reads reach the sandbox over HTTP exactly as they would reach mainnet.
import { Effect } from "effect"
import { generateWallets } from "../../src/modules/pool/service"
import { Store } from "../../src/store/store"
import { freePort } from "../../scripts/services"
import { makeTestApp, readJson, type TestApp } from "./app"
import type { Dialect } from "./db"
import type { ManualClock } from "./clock"

export type GatewayApp = TestApp & {
  readonly baseUrl: string
  readonly fund: (wallet: string, amounts: { usdc?: number; sol?: number }) => Promise<void>
  /** Generates `count` pool wallets and funds each from the sandbox faucet. */
  readonly seedPool: (count: number, amounts?: { usdc?: number; sol?: number }) => Promise<ReadonlyArray<{ id: string; publicKey: string }>>
  readonly usdcBalance: (owner: string) => Promise<number>
}

export type GatewayOptions = {
  readonly clock?: ManualClock
  /** Sees a copy of every request that reaches the loopback server (the gateway's own marketplace and RPC calls among them). */
  readonly tap?: (request: Request) => void | Promise<void>
}

export const makeGatewayApp = async (dialect: Dialect, env: Record<string, string> = {}, options: GatewayOptions = {}): Promise<GatewayApp> => {
  const port = freePort()
  const base = `http://127.0.0.1:${port}`
  const h = await makeTestApp(dialect, { PORT: String(port), TETTO_API_URL: `${base}/sandbox/tetto`, SOLANA_RPC_URL: `${base}/sandbox/solana`, ...env }, options.clock ? { clock: options.clock } : {})
  const tap = options.tap
  const server = Bun.serve({
    port,
    hostname: "127.0.0.1",
    fetch: async (r) => {
      if (tap) await tap(r.clone())
      return h.app.handle(r)
    },
  })
  const fund = async (wallet: string, amounts: { usdc?: number; sol?: number }) => {
    const r = await readJson(await h.request("/sandbox/faucet", { method: "POST", json: { wallet, ...amounts } }))
    if (r.status !== 200) throw new Error(`faucet: ${r.text}`)
  }
  const seedPool = async (count: number, amounts: { usdc?: number; sol?: number } = { usdc: 100_000_000, sol: 100_000_000 }) => {
    await h.runtime.runPromise(generateWallets(count))
    const wallets = await h.runtime.runPromise(Effect.flatMap(Store, (s) => s.wallets.list()))
    for (const w of wallets) await fund(w.publicKey, amounts)
    return wallets.map((w) => ({ id: w.id, publicKey: w.publicKey }))
  }
  const usdcBalance = async (owner: string) => {
    const { sandboxUsdcAta } = await import("../../src/modules/sandbox/identities")
    const { PublicKey } = await import("@solana/web3.js")
    const ata = sandboxUsdcAta(new PublicKey(owner)).toBase58()
    const r = await readJson(await h.request("/sandbox/solana", { method: "POST", json: { jsonrpc: "2.0", id: 1, method: "getTokenAccountBalance", params: [ata] } }))
    if (r.body?.error) return 0
    return Number(r.body.result.value.amount)
  }
  return {
    ...h,
    baseUrl: base,
    fund,
    seedPool,
    usdcBalance,
    close: async () => {
      server.stop(true)
      await h.close()
    },
  }
}

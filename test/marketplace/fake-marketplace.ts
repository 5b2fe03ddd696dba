// Loopback stand-ins for the marketplace: an HTTP server whose answers each
// test scripts, counting requests per "METHOD /path", and a raw TCP server
// that reads a request and closes the socket without answering.
import { Effect, Logger } from "effect"
import bs58 from "bs58"
import { makeMarketplace, type MarketplaceOptions } from "../../src/modules/marketplace/service"
import type { WireAgent } from "../../src/modules/marketplace/protocol"
import { networkConstants } from "../../src/platform/solana/networks"

export const AGENT_ID = "3f0c2b6e-8a41-4d0e-9b7a-1c2d3e4f5a6b"
export const INTENT_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
export const RECEIPT_ID = "0e1d2c3b-4a59-4687-9a6b-5c4d3e2f1a0b"
export const OWNER = "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU"
export const PAYER = "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM"

export const agent = (over: Partial<WireAgent> = {}): WireAgent => ({
  id: AGENT_ID,
  name: "Echo",
  endpoint_url: "https://agents.example/echo",
  price_display: 0.01,
  price_base: 10_000,
  token: "USDC",
  token_mint: networkConstants.devnet.usdcMint,
  token_decimals: 6,
  owner_wallet: OWNER,
  fee_bps: 1000,
  status: "active",
  created_at: "2025-01-01T00:00:00Z",
  ...over,
})

/** A serialized one-signer transaction (base64) and its id: the signature bytes are 1..64. */
export const signedTransaction = () => {
  const sig = Uint8Array.from({ length: 64 }, (_, i) => i + 1)
  const bytes = new Uint8Array(1 + 64 + 40)
  bytes[0] = 1
  bytes.set(sig, 1)
  return { base64: Buffer.from(bytes).toString("base64"), signature: bs58.encode(sig) }
}

export const json = (body: unknown, status = 200) => Response.json(body, { status })

export type Fake = {
  readonly url: string
  readonly count: (key: string) => number
  readonly bodies: Array<unknown>
  readonly stop: () => void
}

export const startFake = (handler: (req: Request, n: number) => Response | Promise<Response>): Fake => {
  const counts = new Map<string, number>()
  const bodies: Array<unknown> = []
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    fetch: async (req) => {
      const key = `${req.method} ${new URL(req.url).pathname}`
      const n = (counts.get(key) ?? 0) + 1
      counts.set(key, n)
      if (req.method === "POST") bodies.push(await req.json().catch(() => undefined))
      return handler(req, n)
    },
  })
  return { url: `http://127.0.0.1:${server.port}`, count: (key) => counts.get(key) ?? 0, bodies, stop: () => void server.stop(true) }
}

/** Accepts connections, reads the request, closes the socket: the answer is lost. */
export const startDropper = () => {
  let requests = 0
  const server = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(socket) {
        requests++
        socket.end()
      },
    },
  })
  return { url: `http://127.0.0.1:${server.port}`, requests: () => requests, stop: () => server.stop(true) }
}

/** A port with nothing listening (bound, then released). */
export const closedPortUrl = () => {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } })
  const port = s.port
  s.stop(true)
  return `http://127.0.0.1:${port}`
}

export const client = (baseUrl: string, over: Partial<MarketplaceOptions> = {}) =>
  makeMarketplace({ baseUrl, timeoutMs: 300, callTimeoutMs: 300, agentCacheTtlMs: 0, readAttempts: 3, retryBaseMs: 5, ...over })

const quiet = Logger.layer([])

/** Runs the effect and returns its failure (fails the test if it succeeded). */
export const failureOf = async <A, E>(effect: Effect.Effect<A, E>): Promise<E> => {
  const r = await Effect.runPromise(Effect.result(effect).pipe(Effect.provide(quiet)))
  if (r._tag === "Success") throw new Error(`expected a failure, got ${JSON.stringify(r.success)}`)
  return r.failure
}

export const run = <A, E>(effect: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(effect.pipe(Effect.provide(quiet)))

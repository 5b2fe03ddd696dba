// Chain reads against a tiny loopback JSON-RPC server that answers the way a
// Solana node does, including its error for a token account that does not exist.
import { afterEach, describe, expect, test } from "bun:test"
import { ASSOCIATED_TOKEN_PROGRAM_ID, TOKEN_PROGRAM_ID } from "@solana/spl-token"
import { Keypair, PublicKey } from "@solana/web3.js"
import { Effect, Layer } from "effect"
import { makeChain } from "../../src/modules/chain/service"
import { Networks } from "../../src/modules/network/service"
import { makeTestApp } from "../support/app"
import { networkConstants } from "../../src/platform/solana/networks"
import { loadConfig } from "../../src/platform/config/config"
import { AppConfig } from "../../src/platform/config/service"

type RpcCall = { method: string; params: Array<unknown> }
type Rpc = { url: string; calls: Array<RpcCall>; stop: () => void }

let rpc: Rpc | undefined
afterEach(() => rpc?.stop())

const startRpc = (answer: (call: RpcCall) => unknown | Promise<unknown>, opts: { status?: number } = {}): Rpc => {
  const calls: Array<RpcCall> = []
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    fetch: async (req) => {
      const body = (await req.json()) as { id: unknown; method: string; params: Array<unknown> }
      calls.push({ method: body.method, params: body.params })
      if (opts.status) return new Response("upstream error", { status: opts.status })
      const out = (await answer(body)) as { error?: unknown; result?: unknown }
      return Response.json({ jsonrpc: "2.0", id: body.id, ...out })
    },
  })
  return { url: `http://127.0.0.1:${server.port}`, calls, stop: () => void server.stop(true) }
}

const ctx = { context: { slot: 1234, apiVersion: "2.2.0" } }
const owner = Keypair.generate().publicKey.toBase58()
const mint = networkConstants.devnet.usdcMint
// Derived here from the ATA program's seeds, independently of spl-token's helper.
const expectedAta = PublicKey.findProgramAddressSync([new PublicKey(owner).toBuffer(), TOKEN_PROGRAM_ID.toBuffer(), new PublicKey(mint).toBuffer()], ASSOCIATED_TOKEN_PROGRAM_ID)[0].toBase58()

const run = <A, E>(e: Effect.Effect<A, E>) => Effect.runPromise(e)
const failure = async <A, E>(e: Effect.Effect<A, E>) => {
  const r = await Effect.runPromise(Effect.result(e))
  if (r._tag === "Success") throw new Error(`expected a failure, got ${JSON.stringify(r.success)}`)
  return r.failure
}

describe("chain reads", () => {
  test("getSolBalance returns integer lamports at confirmed commitment, beyond 32 bits", async () => {
    rpc = startRpc(() => ({ result: { ...ctx, value: 12_345_678_901_234 } }))
    const lamports = await run(makeChain({ rpcUrl: rpc.url, timeoutMs: 1000 }).getSolBalance(owner))
    expect(lamports).toBe(12_345_678_901_234)
    expect(Number.isSafeInteger(lamports)).toBe(true)
    expect(rpc.calls).toEqual([{ method: "getBalance", params: [owner, { commitment: "confirmed" }] }])
  })

  test("getUsdcBalance reads the owner's associated token account and parses base units as an integer", async () => {
    rpc = startRpc(() => ({ result: { ...ctx, value: { amount: "2500001", decimals: 6, uiAmount: 2.500001, uiAmountString: "2.500001" } } }))
    const units = await run(makeChain({ rpcUrl: rpc.url, timeoutMs: 1000 }).getUsdcBalance(owner, mint))
    expect(units).toBe(2_500_001)
    expect(rpc.calls[0]).toEqual({ method: "getTokenAccountBalance", params: [expectedAta, { commitment: "confirmed" }] })
  })

  test("a missing associated token account reads as 0, as a node reports it (could not find account)", async () => {
    rpc = startRpc(() => ({ error: { code: -32602, message: "Invalid param: could not find account" } }))
    expect(await run(makeChain({ rpcUrl: rpc.url, timeoutMs: 1000 }).getUsdcBalance(owner, mint))).toBe(0)
  })

  test("any other RPC error on a token balance is ChainUnavailable, not 0", async () => {
    rpc = startRpc(() => ({ error: { code: -32005, message: "Node is behind by 500 slots" } }))
    const e = await failure(makeChain({ rpcUrl: rpc.url, timeoutMs: 1000 }).getUsdcBalance(owner, mint))
    expect(e).toMatchObject({ _tag: "ChainUnavailable", operation: "getTokenAccountBalance" })
    expect(e.reason).toContain("Node is behind")
  })

  test("an amount beyond safe integers is refused rather than rounded", async () => {
    rpc = startRpc(() => ({ result: { ...ctx, value: { amount: "9007199254740993", decimals: 6, uiAmount: 9e9, uiAmountString: "9e9" } } }))
    expect(await failure(makeChain({ rpcUrl: rpc.url, timeoutMs: 1000 }).getUsdcBalance(owner, mint))).toMatchObject({ _tag: "ChainUnavailable" })
  })

  test("sendTransaction: a node's preflight refusal is TransactionRefused (nothing landed); no answer is ChainUnavailable (it may have)", async () => {
    const wire = new Uint8Array([1, ...new Uint8Array(64), 1, 0, 0, 1, ...Keypair.generate().publicKey.toBytes(), ...new Uint8Array(32), 0])
    rpc = startRpc(() => ({ error: { code: -32002, message: "Transaction simulation failed: Blockhash not found", data: { err: "BlockhashNotFound", logs: [] } } }))
    const refused = await failure(makeChain({ rpcUrl: rpc.url, timeoutMs: 1000 }).sendTransaction(wire))
    expect(refused).toMatchObject({ _tag: "TransactionRefused", reason: expect.stringContaining("Blockhash not found") })
    rpc.stop()
    rpc = startRpc(() => ({}), { status: 502 })
    expect(await failure(makeChain({ rpcUrl: rpc.url, timeoutMs: 1000 }).sendTransaction(wire))).toMatchObject({ _tag: "ChainUnavailable", operation: "sendTransaction" })
  })

  test("getLatestBlockhash returns the blockhash and last valid height", async () => {
    const blockhash = Keypair.generate().publicKey.toBase58()
    rpc = startRpc(() => ({ result: { ...ctx, value: { blockhash, lastValidBlockHeight: 4242 } } }))
    expect(await run(makeChain({ rpcUrl: rpc.url, timeoutMs: 1000 }).getLatestBlockhash())).toEqual({ blockhash, lastValidBlockHeight: 4242 })
  })

  test("getSignatureStatus: unknown, confirmed and failed transactions", async () => {
    const answers = [[null], [{ slot: 1, confirmations: 3, err: null, confirmationStatus: "confirmed" }], [{ slot: 1, confirmations: null, err: { InstructionError: [0, "Custom"] }, confirmationStatus: "finalized" }]]
    let i = 0
    rpc = startRpc(() => ({ result: { ...ctx, value: answers[i++] } }))
    const chain = makeChain({ rpcUrl: rpc.url, timeoutMs: 1000 })
    const sig = "5".repeat(88)
    expect([await run(chain.getSignatureStatus(sig)), await run(chain.getSignatureStatus(sig)), await run(chain.getSignatureStatus(sig))]).toEqual(["not_found", "confirmed", "failed"])
  })

  test("RPC down (connection refused) → ChainUnavailable without the RPC URL or its key", async () => {
    const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } })
    const url = `http://127.0.0.1:${s.port}/?api-key=s3cr3tkey`
    s.stop(true)
    const e = await failure(makeChain({ rpcUrl: url, timeoutMs: 1000 }).getSolBalance(owner))
    expect(e).toMatchObject({ _tag: "ChainUnavailable", operation: "getBalance" })
    expect(JSON.stringify(e)).not.toContain("s3cr3tkey")
  })

  test("an HTTP 500 from the RPC → ChainUnavailable", async () => {
    rpc = startRpc(() => ({}), { status: 500 })
    expect(await failure(makeChain({ rpcUrl: rpc.url, timeoutMs: 1000 }).getLatestBlockhash())).toMatchObject({ _tag: "ChainUnavailable", operation: "getLatestBlockhash" })
  })

  test("a stalled RPC is cut off at SOLANA_RPC_TIMEOUT_MS → ChainUnavailable", async () => {
    rpc = startRpc(async () => {
      await Bun.sleep(3000)
      return { result: { ...ctx, value: 1 } }
    })
    const started = performance.now()
    const e = await failure(makeChain({ rpcUrl: rpc.url, timeoutMs: 150 }).getSolBalance(owner))
    expect(e).toMatchObject({ _tag: "ChainUnavailable", reason: "no answer within 150 ms" })
    expect(performance.now() - started).toBeLessThan(2000)
  })

  test("the live network's chain reads SOLANA_RPC_URL; USDC_MINT follows the network and is unset on the sandbox", async () => {
    rpc = startRpc(() => ({ result: { ...ctx, value: 7 } }))
    const config = loadConfig({ TETTO_NETWORK: "devnet", SOLANA_RPC_URL: rpc.url })
    expect(config.usdcMint).toBe(networkConstants.devnet.usdcMint)
    expect(loadConfig({ TETTO_NETWORK: "mainnet" }).usdcMint).toBe(networkConstants.mainnet.usdcMint)
    expect(loadConfig({}).usdcMint).toBeUndefined()
    expect(loadConfig({ USDC_MINT: mint }).usdcMint).toBe(mint)
    const h = await makeTestApp("sqlite", { TETTO_NETWORK: "devnet", SOLANA_RPC_URL: rpc.url })
    const lamports = await h.runtime.runPromise(Effect.flatMap(Networks, (n) => n.live.chain.getSolBalance(owner))).finally(() => h.close())
    expect(lamports).toBe(7)
  })
})

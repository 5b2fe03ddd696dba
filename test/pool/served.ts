// A test app served on a real loopback port, with SOLANA_RPC_URL pointing at
// its own sandbox ledger, so the Chain service reads balances over HTTP
// exactly as `tdk serve` does. Plus helpers to fund and spend pool wallets.
import { Transaction } from "@solana/web3.js"
import { Effect } from "effect"
import { Signer } from "../../src/modules/pool/signer"
import { Store } from "../../src/store/store"
import type { WalletRow } from "../../src/store/wallets/repo"
import { makeTestApp, readJson, type TestApp } from "../support/app"
import type { Dialect } from "../support/db"

export const ADMIN = "admin-token-0123456789-abcdefghij"

export type Served = TestApp & { readonly url: string; readonly stop: () => Promise<void> }

export const servedTestApp = async (dialect: Dialect, env: Record<string, string> = {}): Promise<Served> => {
  let h: TestApp | undefined
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (r) => (h ? h.app.handle(r) : new Response("starting", { status: 503 })) })
  const url = `http://127.0.0.1:${server.port}`
  h = await makeTestApp(dialect, { ADMIN_TOKEN: ADMIN, SOLANA_RPC_URL: `${url}/sandbox/solana`, SOLANA_RPC_TIMEOUT_MS: "5000", ...env })
  const app = h
  return {
    ...app,
    url,
    stop: async () => {
      await server.stop(true)
      await app.close()
    },
  }
}

export const run = <A, E>(h: TestApp, program: Effect.Effect<A, E, any>) => h.runtime.runPromise(program as Effect.Effect<A, E, never>)

export const wallets = (h: TestApp): Promise<ReadonlyArray<WalletRow>> => run(h, Effect.flatMap(Store, (s) => s.wallets.list()))

export const wallet = async (h: TestApp, id: string): Promise<WalletRow> => (await wallets(h)).find((w) => w.id === id)!

export const fund = async (h: TestApp, publicKey: string, amounts: { usdc?: number; sol?: number }) => {
  const r = await readJson(await h.request("/sandbox/faucet", { method: "POST", json: { wallet: publicKey, ...amounts } }))
  if (r.status !== 200) throw new Error(`faucet: ${r.text}`)
}

/** Pays a sandbox agent from a pool wallet: build, sign through the Signer service, submit. */
export const spend = async (h: TestApp, w: WalletRow, agentId: string, input: Record<string, unknown>) => {
  const built = await readJson(await h.request(`/sandbox/tetto/api/agents/${agentId}/build-transaction`, { method: "POST", json: { payer_wallet: w.publicKey, input } }))
  if (!built.body?.ok) throw new Error(`build: ${built.text}`)
  const tx = Transaction.from(Buffer.from(built.body.transaction, "base64"))
  const { signature } = await run(h, Effect.flatMap(Signer, (s) => s.sign(w.id, new Uint8Array(tx.serializeMessage()))))
  tx.addSignature(tx.feePayer!, Buffer.from(signature))
  const called = await readJson(await h.request("/sandbox/tetto/api/agents/call", { method: "POST", json: { payment_intent_id: built.body.payment_intent_id, signed_transaction: tx.serialize().toString("base64") } }))
  if (!called.body?.ok) throw new Error(`call: ${called.text}`)
}

export const admin = async (h: TestApp, path: string, init: RequestInit & { json?: unknown } = {}, token = ADMIN) =>
  readJson(await h.request(path, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) } }))

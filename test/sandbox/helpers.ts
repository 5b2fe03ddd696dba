// Shared steps of the sandbox tests: fund, read balances over JSON-RPC, and
// the build → sign → submit round trip a marketplace client performs.
import { Connection, Keypair, Transaction } from "@solana/web3.js"
import { makeTestApp, readJson, type TestApp } from "../support/app"
import type { Dialect } from "../support/db"
import { serve } from "../support/served"
import { sandboxUsdcAta } from "../../src/modules/sandbox/identities"

/** The app on a loopback port, for a web3.js Connection to its sandbox RPC. */
export const servedSandbox = async (dialect: Dialect) => {
  const h = await makeTestApp(dialect)
  const served = serve(h)
  return {
    h,
    connection: new Connection(`http://127.0.0.1:${served.port}/sandbox/solana`, "confirmed"),
    close: async () => {
      served.stop()
      await h.close()
    },
  }
}

export const rpc = async (h: TestApp, method: string, params: Array<unknown> = []) => {
  const r = await readJson(await h.request("/sandbox/solana", { method: "POST", json: { jsonrpc: "2.0", id: 1, method, params } }))
  if (r.body?.error) throw new Error(`${method} failed: ${r.text}`)
  return r.body.result
}

/** Lamports of an address (0 when absent). */
export const lamports = async (h: TestApp, address: string): Promise<number> => (await rpc(h, "getBalance", [address])).value

/** Sandbox-USDC base units in the owner's associated token account (0 when absent). */
export const usdc = async (h: TestApp, owner: Keypair["publicKey"]): Promise<number> => {
  const r = await readJson(await h.request("/sandbox/solana", { method: "POST", json: { jsonrpc: "2.0", id: 1, method: "getTokenAccountBalance", params: [sandboxUsdcAta(owner).toBase58()] } }))
  return r.body.error ? 0 : Number(r.body.result.value.amount)
}

export const fund = async (h: TestApp, wallet: string, amounts: { usdc?: number; sol?: number }) =>
  readJson(await h.request("/sandbox/faucet", { method: "POST", json: { wallet, ...amounts } }))

export const build = async (h: TestApp, agentId: string, payer: string, input: Record<string, unknown>) =>
  readJson(await h.request(`/sandbox/tetto/api/agents/${agentId}/build-transaction`, { method: "POST", json: { payer_wallet: payer, input } }))

export const signBase64 = (transaction: string, signer: Keypair): string => {
  const tx = Transaction.from(Buffer.from(transaction, "base64"))
  tx.sign(signer)
  return tx.serialize().toString("base64")
}

export const submit = async (h: TestApp, paymentIntentId: string, signedTransaction: string) =>
  readJson(await h.request("/sandbox/tetto/api/agents/call", { method: "POST", json: { payment_intent_id: paymentIntentId, signed_transaction: signedTransaction } }))

/** Build, sign with `payer`, submit: the whole paid call. */
export const callAgent = async (h: TestApp, agentId: string, payer: Keypair, input: Record<string, unknown>) => {
  const built = await build(h, agentId, payer.publicKey.toBase58(), input)
  if (!built.body?.ok) throw new Error(`build failed: ${built.text}`)
  return submit(h, built.body.payment_intent_id, signBase64(built.body.transaction, payer))
}

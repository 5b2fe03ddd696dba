// What the gateway benchmarks do against a gateway serving its sandbox on a
// loopback port: fund wallets from the faucet, set up a funded pool and a key
// whose limits stay out of the way, pay an agent through the gateway, or pay
// it by hand over the Tetto protocol (build → web3.js sign → call).
import { Keypair, Transaction } from "@solana/web3.js"
import { Effect } from "effect"
import type { AppRuntime } from "../src/app/layers"
import { generateWallets } from "../src/modules/pool/service"
import { titleGenerator } from "../src/modules/sandbox/agents/text"
import { Store } from "../src/store/store"

export const INPUT = { text: "Bun ships a fast SQLite driver. It runs inside the runtime." }

const json = (body: unknown, headers: Record<string, string> = {}) => ({ headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) })

/** The answer's JSON; a failure is thrown with its problem document (which carries no secret). */
export const expectOk = async (res: Response, what: string) => {
  const text = await res.text()
  if (res.status < 200 || res.status > 299) throw new Error(`${what}: ${res.status} ${text.slice(0, 500)}`)
  return JSON.parse(text) as Record<string, any>
}

export const fund = async (base: string, wallet: string) =>
  expectOk(await fetch(`${base}/sandbox/faucet`, { method: "POST", ...json({ wallet, usdc: 500_000_000, sol: 1_000_000_000 }) }), "faucet")

/**
 * A pool of 10 funded wallets (first, so the key is assigned a funded one at
 * registration; the sandbox's default size, so concurrent calls of one key
 * spread over it), then a user and key with limits raised out of the way.
 * `faucetBase`: where the marketplace's sandbox answers, when not on the gateway's own server.
 */
export const fundedKey = async (runtime: AppRuntime, base: string, adminToken: string, email: string, faucetBase: string = base) => {
  await runtime.runPromise(generateWallets(10))
  for (const w of await runtime.runPromise(Effect.flatMap(Store, (s) => s.wallets.list()))) await fund(faucetBase, w.publicKey)
  const registered = await expectOk(await fetch(`${base}/v1/auth/register`, { method: "POST", ...json({ email, password: "correct horse battery staple" }) }), "register")
  const key = registered.api_key?.key as string | undefined
  const keyId = registered.api_key?.id as string | undefined
  if (!key || !keyId) throw new Error("register returned no key")
  await expectOk(
    await fetch(`${base}/admin/keys/${keyId}`, { method: "PATCH", ...json({ rate_limit_per_minute: 1_000_000, monthly_quota: 1_000_000, concurrency_limit: 100 }, { authorization: `Bearer ${adminToken}` }) }),
    "raise limits",
  )
  return { key, keyId }
}

/** One paid call to the title generator through the gateway; its receipt's signature. */
export const callThroughGateway = async (base: string, key: string): Promise<string> => {
  const r = await expectOk(await fetch(`${base}/v1/agents/title-generator`, { method: "POST", ...json(INPUT, { authorization: `Bearer ${key}` }) }), "gateway call")
  if (r.success !== true) throw new Error(`gateway call: ${JSON.stringify(r)}`)
  return r.receipt.tx_signature as string
}

/** One paid call by hand over the Tetto protocol, from `payer` (funded). */
export const callDirectly = async (base: string, payer: Keypair) => {
  const built = await expectOk(
    await fetch(`${base}/sandbox/tetto/api/agents/${titleGenerator.id}/build-transaction`, { method: "POST", ...json({ payer_wallet: payer.publicKey.toBase58(), selected_token: "USDC", input: INPUT }) }),
    "build-transaction",
  )
  const tx = Transaction.from(Buffer.from(built.transaction as string, "base64"))
  tx.partialSign(payer)
  const called = await expectOk(
    await fetch(`${base}/sandbox/tetto/api/agents/call`, { method: "POST", ...json({ payment_intent_id: built.payment_intent_id, signed_transaction: tx.serialize().toString("base64") }) }),
    "call",
  )
  if (called.ok !== true) throw new Error(`direct call: ${JSON.stringify(called)}`)
}

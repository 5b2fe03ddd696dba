// Solana JSON-RPC 2.0 over the sandbox ledger: the subset `@solana/web3.js`
// v1 `Connection` needs to read balances and statuses. Any input yields a
// JSON-RPC answer; nothing here throws to the HTTP layer.
import type { Database } from "bun:sqlite"
import { PublicKey } from "@solana/web3.js"
import bs58 from "bs58"
import { TOKEN_PROGRAM_ID } from "./spl"
import { accountAt, encodeAccount, tokenAccountView, tokenAmount, type Encoding } from "./accounts"
import { SANDBOX_USDC_DECIMALS, sandboxUsdcMint } from "./identities"
import { BLOCKHASH_VALID_SLOTS, blockhashOf, creditSol, currentSlot, nextSlot, recordSignature, signatureStatus, slotAt, solBalance, tokenAccount, tokenAccountsByOwner, usdcSupply } from "./ledger"
import { isAddressShaped } from "../../platform/solana/address"

export type RpcId = string | number | null
type RpcError = { readonly code: number; readonly message: string }
export type RpcReply = { readonly jsonrpc: "2.0"; readonly id: RpcId; readonly result?: unknown; readonly error?: RpcError }

export const rpcErrors = {
  parse: { code: -32700, message: "Parse error" },
  invalidRequest: { code: -32600, message: "Invalid Request" },
  methodNotFound: { code: -32601, message: "Method not found" },
} as const

class InvalidParams extends Error {}

export type RpcEnv = {
  readonly db: Database
  /** ms since epoch, from the Clock */
  readonly now: number
  /** Largest airdrop, lamports. */
  readonly maxAirdropLamports: number
}

const pubkey = (v: unknown, what: string): string => {
  if (typeof v !== "string") throw new InvalidParams(`Invalid param: ${what} must be a base58 string`)
  if (!isAddressShaped(v)) throw new InvalidParams(`Invalid param: Invalid`)
  try {
    return new PublicKey(v).toBase58()
  } catch {
    throw new InvalidParams(`Invalid param: Invalid`)
  }
}

const configOf = (v: unknown): Record<string, unknown> => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {})

const encodingOf = (v: unknown): Encoding => {
  const e = configOf(v).encoding ?? "base64"
  if (e === "base64" || e === "base58" || e === "jsonParsed") return e
  throw new InvalidParams(`Invalid param: unsupported encoding ${JSON.stringify(e)}`)
}

const withContext = (db: Database, value: unknown) => ({ context: { apiVersion: "2.2.0", slot: currentSlot(db) }, value })

type Method = (env: RpcEnv, params: ReadonlyArray<unknown>) => unknown

const methods: Record<string, Method> = {
  getVersion: () => ({ "solana-core": "2.2.0", "feature-set": 0 }),
  getHealth: () => "ok",
  getSlot: ({ db }) => currentSlot(db),
  getBlockHeight: ({ db }) => currentSlot(db),
  getLatestBlockhash: ({ db, now }) => {
    const slot = slotAt(db, now)
    return withContext(db, { blockhash: blockhashOf(slot), lastValidBlockHeight: slot + BLOCKHASH_VALID_SLOTS })
  },
  getBalance: ({ db }, [address]) => withContext(db, solBalance(db, pubkey(address, "address")) ?? 0),
  getAccountInfo: ({ db }, [address, config]) => {
    const account = accountAt(db, pubkey(address, "address"))
    return withContext(db, account ? encodeAccount(account, encodingOf(config)) : null)
  },
  getMultipleAccounts: ({ db }, [addresses, config]) => {
    if (!Array.isArray(addresses)) throw new InvalidParams("Invalid param: expected an array of addresses")
    const encoding = encodingOf(config)
    return withContext(db, addresses.map((a) => {
      const account = accountAt(db, pubkey(a, "address"))
      return account ? encodeAccount(account, encoding) : null
    }))
  },
  getTokenAccountBalance: ({ db }, [address]) => {
    const row = tokenAccount(db, pubkey(address, "address"))
    if (!row) throw new InvalidParams("Invalid param: could not find account")
    return withContext(db, tokenAmount(row.amount, SANDBOX_USDC_DECIMALS))
  },
  getTokenSupply: ({ db }, [mint]) => {
    if (pubkey(mint, "mint") !== sandboxUsdcMint.toBase58()) throw new InvalidParams("Invalid param: could not find mint")
    return withContext(db, tokenAmount(usdcSupply(db), SANDBOX_USDC_DECIMALS))
  },
  getTokenAccountsByOwner: ({ db }, [owner, filter, config]) => {
    const f = configOf(filter)
    const rows = tokenAccountsByOwner(db, pubkey(owner, "owner"))
    let matching = rows
    if (typeof f.mint === "string") matching = rows.filter((r) => r.mint === pubkey(f.mint, "mint"))
    else if (typeof f.programId === "string") matching = pubkey(f.programId, "programId") === TOKEN_PROGRAM_ID.toBase58() ? rows : []
    else throw new InvalidParams("Invalid param: expected {mint} or {programId}")
    const encoding = encodingOf(config)
    return withContext(db, matching.map((r) => ({ pubkey: r.address, account: encodeAccount(tokenAccountView(r), encoding) })))
  },
  getSignatureStatuses: ({ db }, [signatures]) => {
    if (!Array.isArray(signatures) || signatures.length > 256) throw new InvalidParams("Invalid param: expected up to 256 signatures")
    return withContext(db, signatures.map((s) => {
      const status = typeof s === "string" ? signatureStatus(db, s) : undefined
      return status ? { slot: status.slot, confirmations: null, err: status.err === null ? null : JSON.parse(status.err), status: status.err === null ? { Ok: null } : { Err: JSON.parse(status.err) }, confirmationStatus: "finalized" } : null
    }))
  },
  getMinimumBalanceForRentExemption: (_env, [length]) => {
    if (typeof length !== "number" || !Number.isSafeInteger(length) || length < 0 || length > 10 * 1024 * 1024) throw new InvalidParams("Invalid param: data length")
    // The chain's rent: 3480 lamports per byte-year, two years, plus 128 bytes of account overhead.
    return (length + 128) * 3480 * 2
  },
  requestAirdrop: ({ db, now, maxAirdropLamports }, [address, lamports]) => {
    const to = pubkey(address, "address")
    if (typeof lamports !== "number" || !Number.isSafeInteger(lamports) || lamports <= 0 || lamports > maxAirdropLamports)
      throw new InvalidParams(`Invalid param: lamports must be an integer from 1 to ${maxAirdropLamports}`)
    const signature = bs58.encode(crypto.getRandomValues(new Uint8Array(64)))
    db.transaction(() => {
      creditSol(db, to, lamports)
      recordSignature(db, signature, nextSlot(db, now), null, now)
    })()
    return signature
  },
}

const isId = (v: unknown): v is RpcId => v === null || typeof v === "string" || (typeof v === "number" && Number.isFinite(v))

const handleOne = (env: RpcEnv, request: unknown): RpcReply => {
  const r = configOf(request)
  const id = isId(r.id) ? r.id : null
  if (r.jsonrpc !== "2.0" || typeof r.method !== "string" || (r.params !== undefined && !Array.isArray(r.params)))
    return { jsonrpc: "2.0", id, error: rpcErrors.invalidRequest }
  const method = Object.hasOwn(methods, r.method) ? methods[r.method] : undefined
  if (!method) return { jsonrpc: "2.0", id, error: rpcErrors.methodNotFound }
  try {
    return { jsonrpc: "2.0", id, result: method(env, (r.params as Array<unknown> | undefined) ?? []) }
  } catch (e) {
    if (e instanceof InvalidParams) return { jsonrpc: "2.0", id, error: { code: -32602, message: e.message } }
    throw e
  }
}

/** One request or a batch; a malformed envelope gets -32600 rather than an exception. */
export const handleRpc = (env: RpcEnv, body: unknown): RpcReply | ReadonlyArray<RpcReply> => {
  if (Array.isArray(body)) {
    if (body.length === 0 || body.length > 100) return { jsonrpc: "2.0", id: null, error: rpcErrors.invalidRequest }
    return body.map((one) => handleOne(env, one))
  }
  return handleOne(env, body)
}

// Solana JSON-RPC 2.0 over the sandbox ledger: the subset `@solana/web3.js`
// v1 `Connection` needs to read balances and statuses, and to send the
// transactions the product itself sends (execute.ts). Any input yields a
// JSON-RPC answer; bad params fail with InvalidParams, answered as -32602.
import { PublicKey } from "@solana/web3.js"
import bs58 from "bs58"
import { Data, Effect } from "effect"
import { TOKEN_PROGRAM_ID } from "./spl"
import { accountAt, encodeAccount, tokenAccountView, tokenAmount, type Encoding } from "./accounts"
import { SANDBOX_USDC_DECIMALS, sandboxUsdcMint } from "./identities"
import { BLOCKHASH_VALID_SLOTS, blockhashOf, creditSol, currentSlot, nextSlot, recordSignature, signatureStatus, slotAt, solBalance, tokenAccount, tokenAccountsByOwner, usdcSupply } from "./ledger"
import type { SandboxStore } from "./store/sql"
import { executeTransaction, SendRefused } from "./execute"
import { isAddressShaped } from "../../platform/solana/address"

export type RpcId = string | number | null
type RpcError = { readonly code: number; readonly message: string; readonly data?: unknown }
export type RpcReply = { readonly jsonrpc: "2.0"; readonly id: RpcId; readonly result?: unknown; readonly error?: RpcError }

export const rpcErrors = {
  parse: { code: -32700, message: "Parse error" },
  invalidRequest: { code: -32600, message: "Invalid Request" },
  methodNotFound: { code: -32601, message: "Method not found" },
} as const

class InvalidParams extends Data.TaggedError("InvalidParams")<{ readonly message: string }> {}

const invalid = (message: string) => new InvalidParams({ message })

export type RpcEnv = {
  readonly db: SandboxStore
  /** ms since epoch, from the Clock */
  readonly now: number
  /** Largest airdrop, lamports. */
  readonly maxAirdropLamports: number
}

const pubkey = (v: unknown, what: string): Effect.Effect<string, InvalidParams> => {
  if (typeof v !== "string") return Effect.fail(invalid(`Invalid param: ${what} must be a base58 string`))
  if (!isAddressShaped(v)) return Effect.fail(invalid(`Invalid param: Invalid`))
  try {
    return Effect.succeed(new PublicKey(v).toBase58())
  } catch {
    return Effect.fail(invalid(`Invalid param: Invalid`))
  }
}

const configOf = (v: unknown): Record<string, unknown> => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {})

const encodingOf = (v: unknown): Effect.Effect<Encoding, InvalidParams> => {
  const e = configOf(v).encoding ?? "base64"
  if (e === "base64" || e === "base58" || e === "jsonParsed") return Effect.succeed(e)
  return Effect.fail(invalid(`Invalid param: unsupported encoding ${JSON.stringify(e)}`))
}

const withContext = (env: RpcEnv, value: unknown) => Effect.map(currentSlot(env.db), (slot) => ({ context: { apiVersion: "2.2.0", slot }, value }))

type Method = (env: RpcEnv, params: ReadonlyArray<unknown>) => Effect.Effect<unknown, InvalidParams | SendRefused>

const methods: Record<string, Method> = {
  getVersion: () => Effect.succeed({ "solana-core": "2.2.0", "feature-set": 0 }),
  getHealth: () => Effect.succeed("ok"),
  getSlot: ({ db }) => currentSlot(db),
  getBlockHeight: ({ db }) => currentSlot(db),
  getLatestBlockhash: (env) =>
    Effect.gen(function* () {
      const slot = yield* slotAt(env.db, env.now)
      return yield* withContext(env, { blockhash: blockhashOf(slot), lastValidBlockHeight: slot + BLOCKHASH_VALID_SLOTS })
    }),
  getBalance: (env, [address]) =>
    Effect.gen(function* () {
      const lamports = yield* solBalance(env.db, yield* pubkey(address, "address"))
      return yield* withContext(env, lamports ?? 0)
    }),
  getAccountInfo: (env, [address, config]) =>
    Effect.gen(function* () {
      const account = yield* accountAt(env.db, yield* pubkey(address, "address"))
      return yield* withContext(env, account ? encodeAccount(account, yield* encodingOf(config)) : null)
    }),
  getMultipleAccounts: (env, [addresses, config]) =>
    Effect.gen(function* () {
      if (!Array.isArray(addresses)) return yield* Effect.fail(invalid("Invalid param: expected an array of addresses"))
      const encoding = yield* encodingOf(config)
      const accounts = yield* Effect.forEach(addresses, (a) =>
        Effect.gen(function* () {
          const account = yield* accountAt(env.db, yield* pubkey(a, "address"))
          return account ? encodeAccount(account, encoding) : null
        }),
      )
      return yield* withContext(env, accounts)
    }),
  getTokenAccountBalance: (env, [address]) =>
    Effect.gen(function* () {
      const row = yield* tokenAccount(env.db, yield* pubkey(address, "address"))
      if (!row) return yield* Effect.fail(invalid("Invalid param: could not find account"))
      return yield* withContext(env, tokenAmount(row.amount, SANDBOX_USDC_DECIMALS))
    }),
  getTokenSupply: (env, [mint]) =>
    Effect.gen(function* () {
      if ((yield* pubkey(mint, "mint")) !== sandboxUsdcMint.toBase58()) return yield* Effect.fail(invalid("Invalid param: could not find mint"))
      return yield* withContext(env, tokenAmount(yield* usdcSupply(env.db), SANDBOX_USDC_DECIMALS))
    }),
  getTokenAccountsByOwner: (env, [owner, filter, config]) =>
    Effect.gen(function* () {
      const f = configOf(filter)
      const rows = yield* tokenAccountsByOwner(env.db, yield* pubkey(owner, "owner"))
      let matching = rows
      // The mint is read only against rows, as before: an owner with no accounts answers [] whatever the mint.
      if (typeof f.mint === "string") {
        const mint = rows.length === 0 ? "" : yield* pubkey(f.mint, "mint")
        matching = rows.filter((r) => r.mint === mint)
      } else if (typeof f.programId === "string") matching = (yield* pubkey(f.programId, "programId")) === TOKEN_PROGRAM_ID.toBase58() ? rows : []
      else return yield* Effect.fail(invalid("Invalid param: expected {mint} or {programId}"))
      const encoding = yield* encodingOf(config)
      return yield* withContext(env, matching.map((r) => ({ pubkey: r.address, account: encodeAccount(tokenAccountView(r), encoding) })))
    }),
  getSignatureStatuses: (env, [signatures]) =>
    Effect.gen(function* () {
      if (!Array.isArray(signatures) || signatures.length > 256) return yield* Effect.fail(invalid("Invalid param: expected up to 256 signatures"))
      const statuses = yield* Effect.forEach(signatures, (s) =>
        Effect.map(typeof s === "string" ? signatureStatus(env.db, s) : Effect.succeed(undefined), (status) =>
          status
            ? { slot: status.slot, confirmations: null, err: status.err === null ? null : JSON.parse(status.err), status: status.err === null ? { Ok: null } : { Err: JSON.parse(status.err) }, confirmationStatus: "finalized" }
            : null,
        ),
      )
      return yield* withContext(env, statuses)
    }),
  getMinimumBalanceForRentExemption: (_env, [length]) => {
    if (typeof length !== "number" || !Number.isSafeInteger(length) || length < 0 || length > 10 * 1024 * 1024) return Effect.fail(invalid("Invalid param: data length"))
    // The chain's rent: 3480 lamports per byte-year, two years, plus 128 bytes of account overhead.
    return Effect.succeed((length + 128) * 3480 * 2)
  },
  sendTransaction: ({ db, now }, [encoded, config]) =>
    Effect.gen(function* () {
      const encoding = configOf(config).encoding ?? "base58"
      if (typeof encoded !== "string" || (encoding !== "base64" && encoding !== "base58")) return yield* Effect.fail(invalid("Invalid param: expected an encoded transaction (base58 or base64)"))
      let wire: Uint8Array
      try {
        wire = encoding === "base64" ? new Uint8Array(Buffer.from(encoded, "base64")) : bs58.decode(encoded)
      } catch {
        return yield* Effect.fail(invalid(`Invalid param: invalid ${encoding} encoding`))
      }
      return yield* executeTransaction(db, wire, now)
    }),
  requestAirdrop: ({ db, now, maxAirdropLamports }, [address, lamports]) =>
    Effect.gen(function* () {
      const to = yield* pubkey(address, "address")
      if (typeof lamports !== "number" || !Number.isSafeInteger(lamports) || lamports <= 0 || lamports > maxAirdropLamports)
        return yield* Effect.fail(invalid(`Invalid param: lamports must be an integer from 1 to ${maxAirdropLamports}`))
      const signature = bs58.encode(crypto.getRandomValues(new Uint8Array(64)))
      // The slot first: every sandbox write takes it before any balance (service.ts).
      yield* db.transaction((tx) =>
        Effect.gen(function* () {
          const slot = yield* nextSlot(tx, now)
          yield* creditSol(tx, to, lamports)
          yield* recordSignature(tx, signature, slot, null, now)
        }),
      )
      return signature
    }),
}

const isId = (v: unknown): v is RpcId => v === null || typeof v === "string" || (typeof v === "number" && Number.isFinite(v))

const handleOne = (env: RpcEnv, request: unknown): Effect.Effect<RpcReply> => {
  const r = configOf(request)
  const id = isId(r.id) ? r.id : null
  if (r.jsonrpc !== "2.0" || typeof r.method !== "string" || (r.params !== undefined && !Array.isArray(r.params)))
    return Effect.succeed({ jsonrpc: "2.0", id, error: rpcErrors.invalidRequest })
  const method = Object.hasOwn(methods, r.method) ? methods[r.method] : undefined
  if (!method) return Effect.succeed({ jsonrpc: "2.0", id, error: rpcErrors.methodNotFound })
  return method(env, (r.params as Array<unknown> | undefined) ?? []).pipe(
    Effect.map((result): RpcReply => ({ jsonrpc: "2.0", id, result })),
    Effect.catchTag("InvalidParams", (e) => Effect.succeed<RpcReply>({ jsonrpc: "2.0", id, error: { code: -32602, message: e.message } })),
    // A real node's preflight refusal: the message, and the error and logs under data.
    Effect.catchTag("SendRefused", (e) => Effect.succeed<RpcReply>({ jsonrpc: "2.0", id, error: { code: e.code, message: e.message, ...(e.err === null ? {} : { data: { err: e.err, logs: [], accounts: null, unitsConsumed: 0 } }) } })),
  )
}

/** One request or a batch; a malformed envelope gets -32600 rather than an exception. */
export const handleRpc = (env: RpcEnv, body: unknown): Effect.Effect<RpcReply | ReadonlyArray<RpcReply>> => {
  if (Array.isArray(body)) {
    if (body.length === 0 || body.length > 100) return Effect.succeed({ jsonrpc: "2.0", id: null, error: rpcErrors.invalidRequest })
    return Effect.forEach(body, (one) => handleOne(env, one))
  }
  return handleOne(env, body)
}

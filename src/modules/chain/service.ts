// Solana reads through web3.js's Connection. Every RPC request carries a wall
// time limit (a fetch with an AbortSignal), so a silent RPC cannot hang a
// balance check; web3.js's own 429 retry loop is off, callers decide.
import { Connection, PublicKey, SendTransactionError, type FetchFn, type SignatureStatus } from "@solana/web3.js"
import { Effect } from "effect"
import { upstreamText } from "../marketplace/sanitize"
import { ChainUnavailable, TransactionRefused } from "./errors"
import { associatedTokenAddress } from "../../platform/solana/spl-ids"

export type SignatureState = "not_found" | "processed" | "confirmed" | "finalized" | "failed"

export type ChainShape = {
  /** Lamports held by `pubkey`. */
  readonly getSolBalance: (pubkey: string) => Effect.Effect<number, ChainUnavailable>
  /** Base units of `mint` in `owner`'s associated token account; 0 when that account does not exist. */
  readonly getUsdcBalance: (owner: string, mint: string) => Effect.Effect<number, ChainUnavailable>
  readonly getLatestBlockhash: () => Effect.Effect<{ readonly blockhash: string; readonly lastValidBlockHeight: number }, ChainUnavailable>
  /** Where a transaction stands, by its signature: how a submit with a lost answer is reconciled. */
  readonly getSignatureStatus: (signature: string) => Effect.Effect<SignatureState, ChainUnavailable>
  /** The states of many signatures, in order, 256 per RPC request (the node's limit). */
  readonly getSignatureStatuses: (signatures: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<SignatureState>, ChainUnavailable>
  /** The base units in `owner`'s associated token account for `mint`, or undefined when that account does not exist. */
  readonly getTokenAccount: (owner: string, mint: string) => Effect.Effect<{ readonly amount: number } | undefined, ChainUnavailable>
  /**
   * Sends a signed transaction (with the node's preflight); its signature.
   * A refusal is `TransactionRefused` with the node's message: nothing landed.
   * A failure to get an answer is ChainUnavailable: it may have landed.
   */
  readonly sendTransaction: (wire: Uint8Array) => Effect.Effect<string, ChainUnavailable | TransactionRefused>
}

export type ChainOptions = {
  readonly rpcUrl: string
  readonly timeoutMs: number
  /** The global fetch unless given (the in-process sandbox serves test keys without a socket). */
  readonly fetch?: typeof fetch
}

const missingAccount = /could not find account/i

export const makeChain = (options: ChainOptions): ChainShape => {
  const base = options.fetch ?? fetch
  const timedFetch = ((input: string | URL | Request, init?: RequestInit) =>
    base(input, {
      ...init,
      signal: init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(options.timeoutMs)]) : AbortSignal.timeout(options.timeoutMs),
    })) as unknown as FetchFn
  const connection = new Connection(options.rpcUrl, { commitment: "confirmed", fetch: timedFetch, disableRetryOnRateLimit: true })

  const unavailable = (operation: string) => (e: unknown) => {
    const err = e as { name?: string; message?: string }
    const reason = err?.name === "TimeoutError" || /timed out/i.test(err?.message ?? "") ? `no answer within ${options.timeoutMs} ms` : upstreamText(err?.message ?? String(e), [options.rpcUrl])
    return new ChainUnavailable({ operation, reason })
  }

  // Keys come from our own pool and config; a malformed one is a bug, not an outage.
  const key = (s: string) => Effect.sync(() => new PublicKey(s))

  const integer = (operation: string, n: number | bigint | string): Effect.Effect<number, ChainUnavailable> => {
    const v = typeof n === "number" ? n : Number(BigInt(n))
    return Number.isSafeInteger(v) && v >= 0 ? Effect.succeed(v) : Effect.fail(new ChainUnavailable({ operation, reason: `RPC returned a non-integer amount ${String(n).slice(0, 40)}` }))
  }

  const getSolBalance = Effect.fn("Chain.getSolBalance")(function* (pubkey: string) {
    const k = yield* key(pubkey)
    const lamports = yield* Effect.tryPromise({ try: () => connection.getBalance(k, "confirmed"), catch: unavailable("getBalance") })
    return yield* integer("getBalance", lamports)
  })

  const getTokenAccount = Effect.fn("Chain.getTokenAccount")(function* (owner: string, mint: string) {
    const ata = associatedTokenAddress(yield* key(mint), yield* key(owner))
    const amount = yield* Effect.tryPromise({
      try: async () => {
        try {
          return (await connection.getTokenAccountBalance(ata, "confirmed")).value.amount
        } catch (e) {
          if (missingAccount.test((e as Error)?.message ?? "")) return undefined
          throw e
        }
      },
      catch: unavailable("getTokenAccountBalance"),
    })
    if (amount === undefined) return undefined
    if (!/^\d+$/.test(amount)) return yield* Effect.fail(new ChainUnavailable({ operation: "getTokenAccountBalance", reason: "RPC returned a malformed amount" }))
    return { amount: yield* integer("getTokenAccountBalance", amount) }
  })

  const sendTransaction = Effect.fn("Chain.sendTransaction")(function* (wire: Uint8Array) {
    return yield* Effect.tryPromise({
      try: () => connection.sendRawTransaction(wire, { skipPreflight: false, preflightCommitment: "confirmed", maxRetries: 0 }),
      catch: (e) => {
        // web3.js raises SendTransactionError (its name is plain "Error") for a JSON-RPC error answer: the node refused it.
        if (e instanceof SendTransactionError) return new TransactionRefused({ reason: upstreamText(e.transactionError.message, [options.rpcUrl]) })
        return unavailable("sendTransaction")(e)
      },
    })
  })

  const getUsdcBalance = Effect.fn("Chain.getUsdcBalance")(function* (owner: string, mint: string) {
    // A wallet that never received the token has no account: that is a zero balance.
    return (yield* getTokenAccount(owner, mint))?.amount ?? 0
  })

  const getLatestBlockhash = Effect.fn("Chain.getLatestBlockhash")(function* () {
    const r = yield* Effect.tryPromise({ try: () => connection.getLatestBlockhash("confirmed"), catch: unavailable("getLatestBlockhash") })
    return { blockhash: r.blockhash, lastValidBlockHeight: r.lastValidBlockHeight }
  })

  const stateOf = (status: SignatureStatus | null): SignatureState => {
    if (!status) return "not_found"
    if (status.err !== null) return "failed"
    return (status.confirmationStatus ?? "processed") as SignatureState
  }

  const getSignatureStatuses = Effect.fn("Chain.getSignatureStatuses")(function* (signatures: ReadonlyArray<string>) {
    const states: Array<SignatureState> = []
    for (let i = 0; i < signatures.length; i += 256) {
      const r = yield* Effect.tryPromise({
        try: () => connection.getSignatureStatuses(signatures.slice(i, i + 256), { searchTransactionHistory: true }),
        catch: unavailable("getSignatureStatuses"),
      })
      states.push(...r.value.map(stateOf))
    }
    return states
  })

  const getSignatureStatus = Effect.fn("Chain.getSignatureStatus")(function* (signature: string) {
    return (yield* getSignatureStatuses([signature]))[0]!
  })

  return { getSolBalance, getUsdcBalance, getTokenAccount, getLatestBlockhash, getSignatureStatus, getSignatureStatuses, sendTransaction }
}

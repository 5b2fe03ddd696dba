// The Sandbox service: a Tetto-like marketplace and a Solana-like ledger over
// one SandboxStore (its own SQLite file, or schema `sandbox` in the gateway's
// Postgres, which every instance then shares). It refuses what the real platform refuses (bad input
// before payment, unknown or private agents, expired, reused or tampered
// payments, missing funds) so the gateway's real code path is exercised.
import { PublicKey } from "@solana/web3.js"
import { Value } from "@sinclair/typebox/value"
import type { TSchema } from "@sinclair/typebox"
import bs58 from "bs58"
import { createHash } from "node:crypto"
import { Cause, Clock, Context, Duration, Effect, Layer } from "effect"
import type { Config } from "../../platform/config/config"
import { AppConfig } from "../../platform/config/service"
import { Database } from "../../platform/db/database"
import type { BuildTransactionRequest, BuildTransactionResponse, CallRequest, CallResponse, ListAgentsResponse, Success, WireAgent, WireReceipt } from "../marketplace/protocol"
import { protocolErrors } from "../marketplace/protocol"
import { agentById, SANDBOX_FEE_BPS, sampleAgents } from "./agents/catalog"
import { AGENT_ERROR, AgentFailure, type SampleAgent } from "./agents/types"
import { openSandboxStore } from "./db"
import { SandboxRefusal } from "./errors"
import { IN_PROCESS_RPC_URL } from "./urls"
import { NETWORK_FEE_LAMPORTS, sandboxOwnerWallet, sandboxProtocolFeeWallet, sandboxUsdcAta } from "./identities"
import { applyMoves, blockhashOf, creditSol, creditUsdc, ensureUsdcAccount, nextSlot, openSol, recordSignature, slotAt, solBalance, tokenAccount, type Move } from "./ledger"
import { findIntent, findReceipt, insertIntent, insertReceipt, moveIntent, type IntentRow } from "./payments"
import { handleRpc, type RpcReply } from "./rpc"
import { buildPaymentTransaction, protocolFee, sameBytes, serializeUnsigned, splitWireTransaction, verifySignature } from "./transaction"
import type { SandboxStore } from "./store/sql"
import { wireAgent, wireReceipt } from "./wire"
import { isAddressShaped } from "../../platform/solana/address"
import { isUuid } from "../../platform/ids"

/** The real platform's limit on an agent's run. */
export const AGENT_TIME_LIMIT_MS = 20_000
/** Faucet and airdrop ceilings per request: 1,000 USDC and 10 SOL, base units. */
export const FAUCET_MAX_USDC = 1_000_000_000
export const FAUCET_MAX_LAMPORTS = 10_000_000_000
/** What the sandbox gives the agent owners and the fee wallet at first start, so SOL payouts stay rent-exempt. */
const SEED_LAMPORTS = 1_000_000_000

export type AgentBehaviour = {
  /** Added before the agent runs, ms; at or beyond AGENT_TIME_LIMIT_MS the call times out. */
  readonly delayMs: number
  /** When set, the agent fails with this message (and the payment is refunded). */
  readonly failWith: string | undefined
}

export type ListAgentsResult = Success<ListAgentsResponse>

// The sandbox always explains its quote.
export type BuildResult = Success<BuildTransactionResponse> & { readonly message: string }

export type CallResult = Success<CallResponse>

export type FaucetResult = {
  readonly ok: true
  readonly wallet: string
  readonly usdc_account: string
  readonly usdc_balance: number
  readonly sol_balance: number
  readonly signature: string
}

export type SandboxShape = {
  readonly listAgents: (limit: number, offset: number) => Effect.Effect<ListAgentsResult, SandboxRefusal>
  readonly getAgent: (id: string) => Effect.Effect<{ readonly ok: true; readonly agent: WireAgent }, SandboxRefusal>
  readonly buildTransaction: (agentId: string, body: BuildTransactionRequest) => Effect.Effect<BuildResult, SandboxRefusal>
  readonly call: (body: CallRequest) => Effect.Effect<CallResult, SandboxRefusal>
  readonly receipt: (id: string) => Effect.Effect<{ readonly ok: true; readonly receipt: WireReceipt }, SandboxRefusal>
  readonly faucet: (body: { readonly wallet: string; readonly usdc?: number; readonly sol?: number }) => Effect.Effect<FaucetResult, SandboxRefusal>
  readonly rpc: (body: unknown) => Effect.Effect<RpcReply | ReadonlyArray<RpcReply>, SandboxRefusal>
  readonly setBehaviour: (agentId: string, behaviour: AgentBehaviour) => Effect.Effect<{ readonly ok: true; readonly agent_id: string } & AgentBehaviour, SandboxRefusal>
}

const refuse = (status: number, error: string) => new SandboxRefusal({ status, error })

const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex")

const schemaProblems = (schema: TSchema, value: unknown): string =>
  [...Value.Errors(schema, value)]
    .slice(0, 5)
    .map((e) => `${e.path === "" ? "input" : `input${e.path.replaceAll("/", ".")}`}: ${e.message}`)
    .join("; ")

const walletKey = (raw: string): PublicKey | undefined => {
  if (!isAddressShaped(raw)) return undefined
  try {
    const key = new PublicKey(raw)
    return key.toBase58() === raw ? key : undefined
  } catch {
    return undefined
  }
}


/** The moves a paid intent makes: the payer's share to the owner and the fee wallet, and the network fee. */
const movesOf = (intent: IntentRow): { readonly pay: ReadonlyArray<Move>; readonly refund: ReadonlyArray<Move> } => {
  const owner = sandboxOwnerWallet(agentById(intent.agent_id)!.slug).toBase58()
  const fee = sandboxProtocolFeeWallet.toBase58()
  const legs: Array<[string, number]> = [[owner, intent.owner_amount], [fee, intent.fee_amount]]
  const nonZero = legs.filter(([, amount]) => amount > 0)
  const leg = (from: string, to: string, amount: number): Move =>
    intent.token === "SOL" ? { kind: "sol", from, to, lamports: amount } : { kind: "usdc", fromOwner: from, toOwner: to, amount }
  return {
    pay: [{ kind: "sol", from: intent.payer, to: null, lamports: NETWORK_FEE_LAMPORTS }, ...nonZero.map(([to, amount]) => leg(intent.payer, to, amount))],
    refund: nonZero.map(([from, amount]) => leg(from, intent.payer, amount)),
  }
}

// Insert-if-absent only, so instances starting together over one Postgres seed once.
const seed = (store: SandboxStore): Effect.Effect<void> =>
  store.transaction((tx) =>
    Effect.forEach(
      [sandboxProtocolFeeWallet.toBase58(), ...sampleAgents.map((a) => sandboxOwnerWallet(a.slug).toBase58())],
      (w) => Effect.andThen(ensureUsdcAccount(tx, w), openSol(tx, w, SEED_LAMPORTS)),
      { discard: true },
    ),
  )

/** The service over an open store; seeds the fixed wallets first. */
export const makeSandbox = (db: SandboxStore, options: { readonly intentTtlMs: number; readonly rpcUrl: string }): Effect.Effect<SandboxShape> =>
  Effect.map(seed(db), () => sandboxOver(db, options))

const sandboxOver = (db: SandboxStore, options: { readonly intentTtlMs: number; readonly rpcUrl: string }): SandboxShape => {
  const behaviours = new Map<string, AgentBehaviour>()

  const runAgent = (agent: SampleAgent, intent: IntentRow, now: number): Effect.Effect<Record<string, unknown>, SandboxRefusal> => {
    const behaviour = behaviours.get(agent.id)
    const run = Effect.gen(function* () {
      if (behaviour && behaviour.delayMs > 0) yield* Effect.sleep(Duration.millis(behaviour.delayMs))
      if (behaviour?.failWith !== undefined) return yield* Effect.fail(refuse(502, behaviour.failWith))
      // A defect inside an agent (a broken handler, a storage error) is the platform's generic agent error.
      const output = yield* Effect.suspend(() =>
        agent.run({
          input: JSON.parse(intent.input_json) as Record<string, unknown>,
          tetto_context: {
            caller_wallet: intent.payer,
            caller_agent_id: intent.calling_agent_id,
            current_agent_id: agent.id,
            current_agent_name: agent.name,
            current_agent_network: "sandbox",
            intent_id: intent.id,
            timestamp: now,
            version: "2.6.0",
          },
          db,
        }),
      ).pipe(
        Effect.catchDefect(() => Effect.fail(new AgentFailure(AGENT_ERROR))),
        Effect.mapError((e) => refuse(502, e.message)),
      )
      if (!Value.Check(agent.output, output)) return yield* Effect.fail(refuse(502, `${protocolErrors.outputValidation} ${schemaProblems(agent.output, output)}`))
      return output
    })
    return run.pipe(
      Effect.timeoutOption(Duration.millis(AGENT_TIME_LIMIT_MS)),
      Effect.flatMap((o) => (o._tag === "Some" ? Effect.succeed(o.value) : Effect.fail(refuse(504, `${protocolErrors.agentTimeout} (${AGENT_TIME_LIMIT_MS / 1000}s limit exceeded)`)))),
    )
  }

  return {
    listAgents: Effect.fn("Sandbox.listAgents")(function* (limit: number, offset: number) {
      const listed = sampleAgents.filter((a) => !a.isPrivate)
      const page = listed.slice(offset, offset + limit).map((a) => wireAgent(a, false))
      return { ok: true as const, agents: page, count: page.length, pagination: { limit, offset, total: listed.length, hasMore: offset + page.length < listed.length } }
    }),

    getAgent: Effect.fn("Sandbox.getAgent")(function* (id: string) {
      const agent = agentById(id)
      if (!agent) return yield* Effect.fail(refuse(404, protocolErrors.agentNotFound))
      return { ok: true as const, agent: wireAgent(agent, true) }
    }),

    buildTransaction: Effect.fn("Sandbox.buildTransaction")(function* (agentId: string, body: BuildTransactionRequest) {
      const agent = agentById(agentId)
      if (!agent) return yield* Effect.fail(refuse(404, protocolErrors.agentNotFound))
      if (agent.isPrivate) return yield* Effect.fail(refuse(403, protocolErrors.privateAgent))
      const payer = walletKey(body.payer_wallet)
      if (!payer || !PublicKey.isOnCurve(payer.toBytes())) return yield* Effect.fail(refuse(400, "Invalid payer_wallet: expected a base58 ed25519 public key"))
      if (body.selected_token !== undefined && body.selected_token !== agent.token) return yield* Effect.fail(refuse(400, `This agent is priced in ${agent.token}; selected_token ${body.selected_token} is not accepted`))
      if (body.calling_agent_id !== undefined && !isUuid(body.calling_agent_id)) return yield* Effect.fail(refuse(400, "Invalid calling_agent_id: expected a UUID"))
      if (!Value.Check(agent.input, body.input)) return yield* Effect.fail(refuse(400, `${protocolErrors.inputValidation} ${schemaProblems(agent.input, body.input)}`))

      const now = yield* Clock.currentTimeMillis
      const feeAmount = protocolFee(agent.priceBase, SANDBOX_FEE_BPS)
      const ownerAmount = agent.priceBase - feeAmount
      const tx = buildPaymentTransaction({
        token: agent.token,
        payer,
        owner: sandboxOwnerWallet(agent.slug),
        feeWallet: sandboxProtocolFeeWallet,
        ownerAmount,
        feeAmount,
        blockhash: blockhashOf(yield* slotAt(db, now)),
      })
      const inputJson = JSON.stringify(body.input)
      const intent: IntentRow = {
        id: crypto.randomUUID(),
        agent_id: agent.id,
        payer: payer.toBase58(),
        token: agent.token,
        amount_base: agent.priceBase,
        owner_amount: ownerAmount,
        fee_amount: feeAmount,
        input_json: inputJson,
        input_hash: sha256Hex(inputJson),
        message_b64: tx.serializeMessage().toString("base64"),
        calling_agent_id: body.calling_agent_id ?? null,
        created_at: now,
        expires_at: now + options.intentTtlMs,
        status: "open",
        tx_signature: null,
      }
      yield* insertIntent(db, intent)
      return {
        ok: true as const,
        transaction: serializeUnsigned(tx),
        payment_intent_id: intent.id,
        amount_base: intent.amount_base,
        token: intent.token,
        expires_at: new Date(intent.expires_at).toISOString(),
        input_hash: intent.input_hash,
        message: `Sign and submit to /api/agents/call before ${new Date(intent.expires_at).toISOString()}`,
      }
    }),

    call: Effect.fn("Sandbox.call")(function* (body: CallRequest) {
      const intent = isUuid(body.payment_intent_id) ? yield* findIntent(db, body.payment_intent_id) : undefined
      if (!intent) return yield* Effect.fail(refuse(404, "Payment intent not found"))
      if (intent.status !== "open") return yield* Effect.fail(refuse(409, protocolErrors.intentUsed))
      const now = yield* Clock.currentTimeMillis
      if (now >= intent.expires_at) return yield* Effect.fail(refuse(410, protocolErrors.intentExpired))

      const wire = /^[A-Za-z0-9+/]+={0,2}$/.test(body.signed_transaction) ? splitWireTransaction(new Uint8Array(Buffer.from(body.signed_transaction, "base64"))) : undefined
      if (!wire) return yield* Effect.fail(refuse(400, "Invalid signed_transaction: expected base64 of a serialized legacy transaction"))
      if (!sameBytes(wire.message, new Uint8Array(Buffer.from(intent.message_b64, "base64"))))
        return yield* Effect.fail(refuse(400, "Transaction does not match the payment intent"))
      const payerSignature = wire.signatures[0]!
      if (wire.signatures.length !== 1 || !verifySignature(payerSignature, wire.message, new PublicKey(intent.payer)))
        return yield* Effect.fail(refuse(400, "Transaction signature verification failed"))
      const txSignature = bs58.encode(payerSignature)

      const { pay, refund } = movesOf(intent)
      // One transaction: the signature is recorded, the intent claimed and the
      // balances moved together, or none of it happens.
      yield* db
        .transaction((tx) =>
          Effect.gen(function* () {
            const slot = yield* nextSlot(tx, now)
            // A chain processes a signature once: the same signed message cannot
            // pay a second intent, and nothing is debited again. The primary key
            // decides, also between instances submitting it at once.
            if (!(yield* recordSignature(tx, txSignature, slot, null, now))) return yield* Effect.fail(refuse(400, `Transaction simulation failed: ${protocolErrors.alreadyProcessed}`))
            if (!(yield* moveIntent(tx, intent.id, "open", "paid", txSignature))) return yield* Effect.fail(refuse(409, protocolErrors.intentUsed))
            yield* applyMoves(tx, pay).pipe(Effect.mapError(() => refuse(400, `${protocolErrors.insufficientFunds} but found no record of a prior credit.`)))
          }),
        )
        .pipe(Effect.catchDefect(() => Effect.fail(refuse(500, "Ledger error"))))

      const agent = agentById(intent.agent_id)!
      const outcome = yield* Effect.exit(runAgent(agent, intent, now))
      if (outcome._tag === "Failure") {
        // Claimed first, so a refund is paid once whatever runs twice.
        yield* db.transaction((tx) =>
          Effect.gen(function* () {
            if (yield* moveIntent(tx, intent.id, "paid", "refunded")) yield* Effect.orDie(applyMoves(tx, refund))
          }),
        )
        return yield* Effect.failCause(outcome.cause)
      }
      const output = outcome.value
      const receiptId = crypto.randomUUID()
      const verifiedAt = yield* Clock.currentTimeMillis
      const outputJson = JSON.stringify(output)
      yield* db.transaction((tx) =>
        Effect.andThen(
          insertReceipt(tx, {
            id: receiptId,
            intent_id: intent.id,
            agent_id: agent.id,
            caller_wallet: intent.payer,
            payout_wallet: sandboxOwnerWallet(agent.slug).toBase58(),
            token: intent.token,
            amount_base: intent.amount_base,
            protocol_fee: intent.fee_amount,
            input_hash: intent.input_hash,
            output_hash: sha256Hex(outputJson),
            output_json: outputJson,
            tx_signature: txSignature,
            verified_at: verifiedAt,
          }),
          moveIntent(tx, intent.id, "paid", "completed"),
        ),
      )
      return {
        ok: true as const,
        message: `${agent.name} completed`,
        output,
        tx_signature: txSignature,
        receipt_id: receiptId,
        explorer_url: `https://explorer.solana.com/tx/${txSignature}?cluster=custom&customUrl=${encodeURIComponent(options.rpcUrl)}`,
        agent_received: intent.owner_amount,
        protocol_fee: intent.fee_amount,
      }
    }),

    receipt: Effect.fn("Sandbox.receipt")(function* (id: string) {
      const row = isUuid(id) ? yield* findReceipt(db, id) : undefined
      if (!row) return yield* Effect.fail(refuse(404, "Receipt not found"))
      return { ok: true as const, receipt: wireReceipt(row) }
    }),

    faucet: Effect.fn("Sandbox.faucet")(function* (body: { readonly wallet: string; readonly usdc?: number; readonly sol?: number }) {
      const wallet = walletKey(body.wallet)
      if (!wallet) return yield* Effect.fail(refuse(400, "Invalid wallet: expected a base58 public key"))
      const usdc = body.usdc ?? 0
      const sol = body.sol ?? 0
      if (!Number.isSafeInteger(usdc) || usdc < 0 || usdc > FAUCET_MAX_USDC) return yield* Effect.fail(refuse(400, `usdc must be an integer from 0 to ${FAUCET_MAX_USDC} base units`))
      if (!Number.isSafeInteger(sol) || sol < 0 || sol > FAUCET_MAX_LAMPORTS) return yield* Effect.fail(refuse(400, `sol must be an integer from 0 to ${FAUCET_MAX_LAMPORTS} lamports`))
      if (usdc === 0 && sol === 0) return yield* Effect.fail(refuse(400, "Ask for some usdc or sol (base units)"))
      const now = yield* Clock.currentTimeMillis
      const address = wallet.toBase58()
      const signature = bs58.encode(crypto.getRandomValues(new Uint8Array(64)))
      const result = yield* db.transaction((tx) =>
        Effect.gen(function* () {
          const slot = yield* nextSlot(tx, now)
          const usdcAccount = usdc > 0 ? yield* creditUsdc(tx, address, usdc) : sandboxUsdcAta(wallet).toBase58()
          if (sol > 0) yield* creditSol(tx, address, sol)
          yield* recordSignature(tx, signature, slot, null, now)
          return { usdcAccount, usdcBalance: (yield* tokenAccount(tx, usdcAccount))?.amount ?? 0, solBalance: (yield* solBalance(tx, address)) ?? 0 }
        }),
      )
      return { ok: true as const, wallet: address, usdc_account: result.usdcAccount, usdc_balance: result.usdcBalance, sol_balance: result.solBalance, signature }
    }),

    rpc: Effect.fn("Sandbox.rpc")(function* (body: unknown) {
      const now = yield* Clock.currentTimeMillis
      return yield* handleRpc({ db, now, maxAirdropLamports: FAUCET_MAX_LAMPORTS }, body)
    }),

    setBehaviour: Effect.fn("Sandbox.setBehaviour")(function* (agentId: string, behaviour: AgentBehaviour) {
      if (!agentById(agentId)) return yield* Effect.fail(refuse(404, protocolErrors.agentNotFound))
      if (behaviour.delayMs === 0 && behaviour.failWith === undefined) behaviours.delete(agentId)
      else behaviours.set(agentId, behaviour)
      return { ok: true as const, agent_id: agentId, ...behaviour }
    }),
  }
}

export class Sandbox extends Context.Service<Sandbox, SandboxShape>()("tdk/Sandbox") {
  /**
   * Opens the sandbox state for the runtime's lifetime on every network: test
   * keys are served by it on devnet and mainnet too (its HTTP routes are
   * mounted on the sandbox network only). On Postgres the state is schema
   * `sandbox` of the gateway's database; on SQLite its own file (db.ts).
   */
  static readonly layer = Layer.effect(
    Sandbox,
    Effect.gen(function* () {
      const config = yield* AppConfig
      const database = yield* Database
      const opened = yield* Effect.exit(Effect.flatMap(openSandboxStore(config, database), (store) => makeSandbox(store, { intentTtlMs: config.sandboxIntentTtlMs, rpcUrl: sandboxRpcUrl(config) })))
      if (opened._tag === "Success") return opened.value
      // On the sandbox network the sandbox is the network: nothing works without it.
      if (config.network === "sandbox") return yield* Effect.failCause(opened.cause).pipe(Effect.orDie)
      // Elsewhere it only serves test keys: live keys must keep working (a
      // database role that may not create schema `sandbox`, say).
      yield* Effect.logError("the sandbox could not be opened; test keys get 503 until it can", { cause: Cause.pretty(opened.cause) })
      return unavailableSandbox
    }),
  )
}

/** Where the sandbox's ledger answers: this server's route on the sandbox network, the in-process URL elsewhere (never the live RPC's URL, which may carry a secret). */
const sandboxRpcUrl = (config: Config): string => (config.network === "sandbox" ? config.solanaRpcUrl : IN_PROCESS_RPC_URL)

const unavailable = Effect.fail(refuse(503, "Test mode is unavailable: the sandbox's state could not be opened (the operator has the details)"))

/** Answers every request with a 503 refusal. */
const unavailableSandbox: SandboxShape = {
  listAgents: () => unavailable,
  getAgent: () => unavailable,
  buildTransaction: () => unavailable,
  call: () => unavailable,
  receipt: () => unavailable,
  faucet: () => unavailable,
  rpc: () => unavailable,
  setBehaviour: () => unavailable,
}

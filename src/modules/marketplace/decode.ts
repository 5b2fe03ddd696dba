// Checks that an `ok: true` answer has the fields the gateway computes with.
// Anything else is a bad response, not a silent NaN further down the line.
import type { TokenSymbol, WireAgent, WireReceipt } from "./protocol"

export type Decoded<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly reason: string }

type Obj = Record<string, unknown>

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v)
const isStr = (v: unknown): v is string => typeof v === "string" && v.length > 0
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0
const isToken = (v: unknown): v is TokenSymbol => v === "USDC" || v === "SOL"

const fail = (reason: string) => ({ ok: false as const, reason })

/** First problem found in `o` given per-field checks, or undefined. */
const check = (o: Obj, fields: Record<string, (v: unknown) => boolean>, where: string): string | undefined => {
  for (const [field, ok] of Object.entries(fields)) if (!ok(o[field])) return `${where}.${field} is missing or malformed`
  return undefined
}

const agentFields = {
  id: isStr,
  name: isStr,
  price_base: isCount,
  token: isToken,
  token_mint: isStr,
  token_decimals: isCount,
  owner_wallet: isStr,
  fee_bps: isCount,
}

export const decodeAgent = (v: unknown, where = "agent"): Decoded<WireAgent> => {
  if (!isObj(v)) return fail(`${where} is not an object`)
  const problem = check(v, agentFields, where)
  return problem ? fail(problem) : { ok: true, value: v as unknown as WireAgent }
}

export type AgentPage = {
  readonly agents: ReadonlyArray<WireAgent>
  readonly count: number
  readonly pagination: { readonly limit: number; readonly offset: number; readonly total: number; readonly hasMore: boolean }
}

export const decodeAgentPage = (body: Obj): Decoded<AgentPage> => {
  if (!Array.isArray(body.agents)) return fail("agents is not a list")
  const agents: Array<WireAgent> = []
  for (const [i, a] of body.agents.entries()) {
    const d = decodeAgent(a, `agents[${i}]`)
    if (!d.ok) return d
    agents.push(d.value)
  }
  const p = isObj(body.pagination) ? body.pagination : undefined
  const pagination = {
    limit: isCount(p?.limit) ? p.limit : agents.length,
    offset: isCount(p?.offset) ? p.offset : 0,
    total: isCount(p?.total) ? p.total : agents.length,
    hasMore: p?.hasMore === true,
  }
  return { ok: true, value: { agents, count: isCount(body.count) ? body.count : agents.length, pagination } }
}

export type BuiltTransaction = {
  /** base64 of the unsigned legacy transaction. */
  readonly transaction: string
  readonly paymentIntentId: string
  /** Quoted price, integer base units of `token`. */
  readonly amountBase: number
  readonly token: TokenSymbol
  readonly expiresAt: string
  readonly inputHash: string
  readonly message: string | undefined
}

export const decodeBuild = (body: Obj): Decoded<BuiltTransaction> => {
  const problem = check(body, { transaction: isStr, payment_intent_id: isStr, amount_base: isCount, token: isToken, expires_at: isStr, input_hash: isStr }, "build")
  if (problem) return fail(problem)
  return {
    ok: true,
    value: {
      transaction: body.transaction as string,
      paymentIntentId: body.payment_intent_id as string,
      amountBase: body.amount_base as number,
      token: body.token as TokenSymbol,
      expiresAt: body.expires_at as string,
      inputHash: body.input_hash as string,
      message: typeof body.message === "string" ? body.message : undefined,
    },
  }
}

export type CallResult = {
  readonly output: Record<string, unknown>
  readonly txSignature: string
  readonly receiptId: string
  /** Base units of the paid token. */
  readonly agentReceived: number | undefined
  readonly protocolFee: number | undefined
  readonly message: string | undefined
}

export const decodeCall = (body: Obj): Decoded<CallResult> => {
  const problem = check(body, { output: isObj, tx_signature: isStr, receipt_id: isStr }, "call")
  if (problem) return fail(problem)
  return {
    ok: true,
    value: {
      output: body.output as Record<string, unknown>,
      txSignature: body.tx_signature as string,
      receiptId: body.receipt_id as string,
      agentReceived: isCount(body.agent_received) ? body.agent_received : undefined,
      protocolFee: isCount(body.protocol_fee) ? body.protocol_fee : undefined,
      message: typeof body.message === "string" ? body.message : undefined,
    },
  }
}

export const decodeReceipt = (body: Obj): Decoded<WireReceipt> => {
  if (!isObj(body.receipt)) return fail("receipt is not an object")
  const problem = check(body.receipt, { tx_signature: isStr }, "receipt")
  return problem ? fail(problem) : { ok: true, value: body.receipt as unknown as WireReceipt }
}

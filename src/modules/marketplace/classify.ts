// Turns a marketplace answer that is not a success into the error the gateway
// acts on. The platform's `error` text decides first (it is the most specific
// signal and what the official client relies on); the HTTP status decides
// when the text is unknown or absent.
import {
  AgentInputInvalid,
  AgentNotFound,
  AgentOutputInvalid,
  AgentPrivate,
  AgentTimedOut,
  CallOutcomeUnknown,
  MarketplaceBadResponse,
  MarketplaceRefused,
  PayerLacksFunds,
  PaymentIntentExpired,
  ReceiptNotFound,
  type MarketplaceError,
} from "./errors"
import { protocolErrors } from "./protocol"
import { upstreamText } from "./sanitize"

export type Operation =
  | { readonly kind: "list"; readonly label: string }
  | { readonly kind: "agent"; readonly label: string; readonly agentId: string }
  | { readonly kind: "receipt"; readonly label: string; readonly receiptId: string }
  | { readonly kind: "call"; readonly label: string; readonly paymentIntentId: string; readonly txSignature: string | undefined }

/** The answer's body: a JSON value, or why it is not one. */
export type Body = { readonly json: true; readonly value: unknown } | { readonly json: false; readonly reason: string }

export const parseBody = (text: string, contentType: string): Body => {
  if (text.trim().length === 0) return { json: false, reason: "empty body" }
  try {
    return { json: true, value: JSON.parse(text) as unknown }
  } catch {
    return { json: false, reason: `not JSON (${contentType.split(";")[0]?.trim() || "no content type"})` }
  }
}

const errorTextOf = (value: unknown): string | undefined => {
  if (typeof value !== "object" || value === null) return undefined
  const v = value as { error?: unknown; message?: unknown }
  if (typeof v.error === "string") return v.error
  if (typeof v.error === "object" && v.error !== null && typeof (v.error as { message?: unknown }).message === "string") return (v.error as { message: string }).message
  return typeof v.message === "string" ? v.message : undefined
}

const agentIdOf = (op: Operation) => (op.kind === "agent" ? op.agentId : undefined)
const intentOf = (op: Operation) => (op.kind === "call" ? op.paymentIntentId : undefined)

const unknownOutcome = (op: Extract<Operation, { kind: "call" }>, reason: string) =>
  new CallOutcomeUnknown({ paymentIntentId: op.paymentIntentId, txSignature: op.txSignature, reason })

// A submit answered with a 3xx or 4xx never reached the code that pays; a 5xx
// or an unreadable answer may come from a proxy after the payment went out.
const callNotProcessed = (status: number) => status >= 300 && status < 500

/** Matches the documented error texts (TETTO_PROTOCOL.md); undefined when none applies. */
const byText = (op: Operation, text: string, upstream: string): MarketplaceError | undefined => {
  const t = text.trim()
  if (t.startsWith(protocolErrors.inputValidation)) return new AgentInputInvalid({ agentId: agentIdOf(op), upstream })
  if (t.includes(protocolErrors.insufficientFunds) || /insufficient (funds|lamports)/i.test(t)) return new PayerLacksFunds({ upstream })
  if (t.startsWith(protocolErrors.agentTimeout)) return new AgentTimedOut({ paymentIntentId: intentOf(op), upstream })
  if (t.startsWith(protocolErrors.outputValidation)) return new AgentOutputInvalid({ paymentIntentId: intentOf(op), upstream })
  if (t.includes(protocolErrors.privateAgent)) return new AgentPrivate({ agentId: agentIdOf(op), upstream })
  if (t.startsWith(protocolErrors.intentExpired)) return new PaymentIntentExpired({ paymentIntentId: intentOf(op), upstream })
  // Only a submit can have used the intent; since we never resend one, it may have paid.
  if (t.startsWith(protocolErrors.intentUsed) && op.kind === "call") return unknownOutcome(op, `the platform says: ${upstream}`)
  // The signature is on chain. It is claimed by this call alone, so the
  // reconciler settles the call from it; nothing here says it did not pay.
  if (t.includes(protocolErrors.alreadyProcessed) && op.kind === "call") return unknownOutcome(op, `the platform says: ${upstream}`)
  if (t.startsWith(protocolErrors.agentNotFound) && op.kind === "agent") return new AgentNotFound({ agentId: op.agentId, reason: "unknown" })
  return undefined
}

export const classifyFailure = (op: Operation, status: number, body: Body, urls: ReadonlyArray<string>): MarketplaceError => {
  if (!body.json) {
    if (op.kind === "call" && !callNotProcessed(status)) return unknownOutcome(op, `HTTP ${status} with ${body.reason}`)
    return new MarketplaceBadResponse({ operation: op.label, status, reason: body.reason })
  }
  const text = errorTextOf(body.value)
  const upstream = upstreamText(text ?? `HTTP ${status}`, urls)
  const known = text === undefined ? undefined : byText(op, text, upstream)
  if (known) return known
  if (status === 404 && op.kind === "agent") return new AgentNotFound({ agentId: op.agentId, reason: "unknown" })
  if (status === 404 && op.kind === "receipt") return new ReceiptNotFound({ receiptId: op.receiptId })
  if (status === 403 && op.kind === "agent") return new AgentPrivate({ agentId: op.agentId, upstream })
  if (op.kind === "call" && !callNotProcessed(status)) return unknownOutcome(op, `HTTP ${status}: ${upstream}`)
  return new MarketplaceRefused({ operation: op.label, status, upstream })
}

/** A 2xx whose body is not the success shape. */
export const classifyMalformedSuccess = (op: Operation, status: number, reason: string): MarketplaceError =>
  op.kind === "call" ? unknownOutcome(op, `unreadable success answer: ${reason}`) : new MarketplaceBadResponse({ operation: op.label, status, reason })

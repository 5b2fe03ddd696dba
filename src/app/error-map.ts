// The one place where typed failures become HTTP. The record is keyed by every
// tag of AppError, so a new error without a status does not compile.
import { BodyTooLarge, InvalidInput, JsonTooDeep, MalformedJson, RouteNotFound, StoreUnavailable, UnsupportedMediaType } from "../platform/http/errors"
import { BillingDisabled, CardRequired, NoSubscription, StripeRequestFailed, WebhookNotConfigured, WebhookRejected } from "../modules/billing/errors"
import type { NoFundedWallet, TransactionRejected, UnsealError, WalletDepleted, WalletNotFound } from "../modules/pool/errors"
import { problemType, type ProblemBody } from "../platform/http/problem"
import { AdminUnauthorized, UserNotFound } from "../modules/admin/errors"
import { EmailTaken, InvalidCredentials, LoginThrottled, SessionRequired, SignupThrottled } from "../modules/auth/errors"
import type { KeyNotFound } from "../modules/keys/errors"
import type { AuthError } from "../modules/keys/verifier"
import { ChainUnavailable } from "../modules/chain/errors"
import { IdempotencyInFlight, IdempotencyKeyInvalid, IdempotencyKeyReused, PaymentContention, QuotaExhausted, SpendCapReached, UnknownAgentAlias } from "../modules/gateway/errors"
import { formatUsd } from "../modules/gateway/money"
import { StorageAgentNotConfigured } from "../modules/storage/errors"
import { ConcurrencyLimitExceeded, LimiterUnavailable, RateLimited } from "../modules/limits/errors"
import { rateLimitHeaders } from "../modules/limits/headers"
import type { MarketplaceError } from "../modules/marketplace/errors"

export type AppError =
  | MalformedJson
  | BodyTooLarge
  | JsonTooDeep
  | UnsupportedMediaType
  | RouteNotFound
  | InvalidInput
  | StoreUnavailable
  | AuthError
  | KeyNotFound
  | EmailTaken
  | InvalidCredentials
  | LoginThrottled
  | SignupThrottled
  | SessionRequired
  | AdminUnauthorized
  | UserNotFound
  | MarketplaceError
  | ChainUnavailable
  | UnsealError
  | WalletNotFound
  | NoFundedWallet
  | WalletDepleted
  | TransactionRejected
  | QuotaExhausted
  | SpendCapReached
  | PaymentContention
  | UnknownAgentAlias
  | StorageAgentNotConfigured
  | IdempotencyKeyReused
  | IdempotencyInFlight
  | IdempotencyKeyInvalid
  | StripeRequestFailed
  | BillingDisabled
  | WebhookNotConfigured
  | WebhookRejected
  | CardRequired
  | NoSubscription
  | RateLimited
  | ConcurrencyLimitExceeded
  | LimiterUnavailable

// A wallet that cannot be opened is an operator problem (missing or wrong
// master key, damaged row): the caller gets a 503 without internals; the log
// has the tag, wallet id and key id.
const walletUnavailable = {
  status: 503,
  code: "wallet_unavailable",
  title: "Wallet unavailable",
  detail: () => "The wallet assigned to this key cannot sign right now. The operator has been notified.",
} as const

const bearerChallenge = { "www-authenticate": 'Bearer realm="tdk"' }

type Tag = AppError["_tag"]
type ErrorOf<K extends Tag> = Extract<AppError, { _tag: K }>

type Mapping<E> = {
  readonly status: number
  readonly code: string
  readonly title: string
  readonly detail: (e: E) => string
  readonly extra?: (e: E) => Record<string, unknown>
  readonly headers?: (e: E) => Record<string, string>
}

export const errorMap: { readonly [K in Tag]: Mapping<ErrorOf<K>> } = {
  MalformedJson: {
    status: 400,
    code: "malformed_json",
    title: "Malformed JSON",
    detail: (e) => `The request body is not valid JSON: ${e.reason}`,
  },
  BodyTooLarge: {
    status: 413,
    code: "body_too_large",
    title: "Request body too large",
    detail: (e) => `The request body exceeds the limit of ${e.limitBytes} bytes.`,
    extra: (e) => ({ limit_bytes: e.limitBytes }),
  },
  JsonTooDeep: {
    status: 400,
    code: "json_too_deep",
    title: "JSON nested too deeply",
    detail: (e) => `The request body nests arrays and objects more than ${e.maxDepth} levels deep.`,
    extra: (e) => ({ max_depth: e.maxDepth }),
  },
  UnsupportedMediaType: {
    status: 415,
    code: "unsupported_media_type",
    title: "Unsupported media type",
    detail: (e) => `Send the body as application/json (got ${JSON.stringify(e.contentType.slice(0, 100))}).`,
  },
  RouteNotFound: {
    status: 404,
    code: "route_not_found",
    title: "Not found",
    detail: (e) => `No route for ${e.method} ${e.path.slice(0, 200)}. The API is described at /docs.`,
  },
  InvalidInput: {
    status: 422,
    code: "invalid_input",
    title: "Invalid input",
    detail: (e) => e.detail,
    extra: (e) => ({ errors: e.errors }),
  },
  StoreUnavailable: {
    status: 503,
    code: "store_unavailable",
    title: "Database unavailable",
    detail: () => "The database did not answer. Retry shortly.",
    headers: () => ({ "retry-after": "5" }),
  },
  ApiKeyMissing: {
    status: 401,
    code: "api_key_missing",
    title: "API key required",
    detail: () => "Send your API key as `Authorization: Bearer tk_live_...` (or tk_test_...).",
    headers: () => bearerChallenge,
  },
  ApiKeyMalformed: {
    status: 401,
    code: "api_key_malformed",
    title: "Malformed API key",
    detail: () => "The Authorization header does not hold a valid API key (wrong format or checksum; check for a copy-paste typo). Expected `Authorization: Bearer tk_live_...`.",
    headers: () => bearerChallenge,
  },
  ApiKeyUnknown: {
    status: 401,
    code: "api_key_invalid",
    title: "Invalid API key",
    detail: () => "This API key is not valid. It may have been rolled or never existed.",
    headers: () => bearerChallenge,
  },
  KeyRevoked: {
    status: 401,
    code: "api_key_revoked",
    title: "API key revoked",
    detail: () => "This API key has been revoked. Create a new one.",
    headers: () => bearerChallenge,
  },
  KeyExpired: {
    status: 401,
    code: "api_key_expired",
    title: "API key expired",
    detail: () => "This API key has expired. Create a new one.",
    headers: () => bearerChallenge,
  },
  KeySuspended: {
    status: 403,
    code: "api_key_suspended",
    title: "API key suspended",
    detail: (e) => `This API key is suspended (${e.reason}).${e.reason === "payment_failed" ? " Update your payment method; the key works again once the invoice is paid." : ""}`,
    extra: (e) => ({ reason: e.reason }),
  },
  KeyNotFound: {
    status: 404,
    code: "key_not_found",
    title: "Key not found",
    detail: (e) => `No key ${e.keyId.slice(0, 64)} on this account.`,
  },
  EmailTaken: {
    status: 409,
    code: "email_taken",
    title: "Email already registered",
    detail: () => "An account with this email already exists. Log in instead.",
  },
  InvalidCredentials: {
    status: 401,
    code: "invalid_credentials",
    title: "Invalid credentials",
    detail: () => "The email or password is wrong.",
  },
  LoginThrottled: {
    status: 429,
    code: "login_throttled",
    title: "Too many failed logins",
    detail: (e) => `Too many login attempts. Try again in ${e.retryAfterSeconds} seconds.`,
    extra: (e) => ({ retry_after: e.retryAfterSeconds }),
    headers: (e) => ({ "retry-after": String(e.retryAfterSeconds) }),
  },
  SignupThrottled: {
    status: 429,
    code: "signup_throttled",
    title: "Too many sign-ups",
    detail: (e) => `Too many accounts were created from this address. Try again in ${e.retryAfterSeconds} seconds.`,
    extra: (e) => ({ retry_after: e.retryAfterSeconds }),
    headers: (e) => ({ "retry-after": String(e.retryAfterSeconds) }),
  },
  SessionRequired: {
    status: 401,
    code: "session_required",
    title: "Sign-in required",
    detail: () => "Log in with POST /v1/auth/login and send the session cookie or `Authorization: Bearer tks_...`.",
  },
  AdminUnauthorized: {
    status: 401,
    code: "admin_unauthorized",
    title: "Admin token required",
    detail: () => "Send the operator's admin token as `Authorization: Bearer <ADMIN_TOKEN>`.",
    headers: () => bearerChallenge,
  },
  UserNotFound: {
    status: 404,
    code: "user_not_found",
    title: "User not found",
    detail: (e) => `No user ${e.userId.slice(0, 64)}.`,
  },
  // A malformed id names no agent, so it gets the same answer as an unknown
  // one; 422 stays reserved for input the agent's schema rejects.
  AgentNotFound: {
    status: 404,
    code: "agent_not_found",
    title: "Agent not found",
    detail: (e) =>
      e.reason === "malformed_id"
        ? `${JSON.stringify(e.agentId)} is not an agent id: agent ids are UUIDs.`
        : `The marketplace has no agent ${e.agentId}.`,
    extra: (e) => ({ agent_id: e.agentId }),
  },
  AgentInputInvalid: {
    status: 422,
    code: "agent_input_invalid",
    title: "Input rejected by the agent's schema",
    detail: (e) => `The agent's input schema rejected the input; nothing was charged. The marketplace said: ${e.upstream}`,
  },
  // The pool wallet is underfunded: the operator's problem, so no detail of
  // the wallet is given and the developer is told to retry.
  PayerLacksFunds: {
    status: 503,
    code: "payer_lacks_funds",
    title: "Payment wallet underfunded",
    detail: () => "The gateway's payment wallet cannot cover this call right now; nothing was charged. Retry later.",
    headers: () => ({ "retry-after": "60" }),
  },
  AgentTimedOut: {
    status: 504,
    code: "agent_timed_out",
    title: "Agent timed out",
    detail: (e) => `The agent did not answer within the marketplace's time limit. The marketplace said: ${e.upstream}`,
  },
  AgentOutputInvalid: {
    status: 502,
    code: "agent_output_invalid",
    title: "Agent returned invalid output",
    detail: (e) => `The agent's output failed its own output schema. The marketplace said: ${e.upstream}`,
  },
  // 403 rather than 404: the platform itself tells anyone the agent exists and
  // is private, and "private" tells the developer why, where 404 would mislead.
  AgentPrivate: {
    status: 403,
    code: "agent_private",
    title: "Agent is private",
    detail: (e) => `${e.agentId ? `Agent ${e.agentId}` : "This agent"} is private and does not accept calls from this gateway.`,
  },
  PaymentIntentExpired: {
    status: 502,
    code: "payment_intent_expired",
    title: "Payment quote expired",
    detail: () => "The marketplace's payment quote expired before the call was submitted; nothing was charged. Retry the call.",
  },
  ReceiptNotFound: {
    status: 404,
    code: "receipt_not_found",
    title: "Receipt not found",
    detail: (e) => `The marketplace has no receipt ${e.receiptId}.`,
  },
  MarketplaceUnreachable: {
    status: 502,
    code: "marketplace_unreachable",
    title: "Marketplace unreachable",
    detail: (e) => `Could not reach the marketplace (${e.operation}): ${e.reason}. Nothing was charged. Retry shortly.`,
    headers: () => ({ "retry-after": "5" }),
  },
  MarketplaceTimedOut: {
    status: 504,
    code: "marketplace_timed_out",
    title: "Marketplace timed out",
    detail: (e) => `The marketplace did not answer in time (${e.operation}, ${e.timeoutMs} ms per attempt). Nothing was charged. Retry shortly.`,
    headers: () => ({ "retry-after": "5" }),
  },
  MarketplaceBadResponse: {
    status: 502,
    code: "marketplace_bad_response",
    title: "Marketplace sent an unreadable answer",
    detail: (e) => `The marketplace answered ${e.operation} with HTTP ${e.status} and ${e.reason.slice(0, 200)}.`,
  },
  MarketplaceRefused: {
    status: 502,
    code: "marketplace_refused",
    title: "Marketplace refused the request",
    detail: (e) => `The marketplace refused ${e.operation} (HTTP ${e.status}): ${e.upstream}`,
    extra: (e) => ({ upstream_status: e.status }),
  },
  CallOutcomeUnknown: {
    status: 504,
    code: "call_outcome_unknown",
    title: "Agent call outcome unknown",
    detail: () =>
      "The call was submitted but its answer was lost, so whether it ran and was paid is not yet known. It is reconciled from the marketplace's receipt; you are billed only if it settled. Do not assume it failed.",
    extra: (e) => ({ payment_intent_id: e.paymentIntentId }),
  },
  ChainUnavailable: {
    status: 503,
    code: "chain_unavailable",
    title: "Solana RPC unavailable",
    detail: (e) => `The Solana RPC did not answer ${e.operation}: ${e.reason}. Retry shortly.`,
    headers: () => ({ "retry-after": "10" }),
  },
  EnvelopeInvalid: walletUnavailable,
  MasterKeyUnknown: walletUnavailable,
  DecryptFailed: walletUnavailable,
  WalletNotFound: walletUnavailable,
  NoFundedWallet: {
    status: 503,
    code: "no_funded_wallet",
    title: "No funded wallet",
    detail: () => "No pool wallet can pay for this call right now. Retry later.",
    headers: () => ({ "retry-after": "60" }),
  },
  // The wallet id is kept out of the answer (it says nothing to the developer); the log has it.
  WalletDepleted: {
    status: 503,
    code: "wallet_depleted",
    title: "Wallet depleted",
    detail: () =>
      "The pool wallet that holds this key's storage data has run out of funds. Storage agents keep data per key and wallet, so the call cannot be paid from another wallet without losing this key's view of its data; an operator must refill the wallet. Retry later.",
    headers: () => ({ "retry-after": "300" }),
  },
  TransactionRejected: {
    status: 502,
    code: "transaction_rejected",
    title: "Marketplace transaction rejected",
    detail: (e) => `The marketplace asked the gateway to sign a transaction that breaks its signing policy (${e.code}); nothing was signed or paid.`,
    extra: (e) => ({ policy_code: e.code }),
  },
  QuotaExhausted: {
    status: 402,
    code: "quota_exhausted",
    title: "Monthly quota used up",
    detail: (e) => `This key has used its ${e.limit} calls for ${e.period}. Upgrade the tier or wait for the next month (UTC).`,
    extra: (e) => ({ limit: e.limit, used: e.used, period: e.period, hint: "POST /v1/billing/subscribe raises the tier; quotas reset on the 1st (UTC)." }),
  },
  PaymentContention: {
    status: 503,
    code: "payment_contention",
    title: "No distinct payment available",
    detail: (e) =>
      e.reason === "no_distinct_payment"
        ? "Every wallet that may pay this call already has a payment to this agent in the current block. Nothing was charged; retry shortly."
        : "The call's reservation expired before it was paid. Nothing was charged; retry.",
    headers: () => ({ "retry-after": "1" }),
  },
  SpendCapReached: {
    status: 402,
    code: "spend_cap_reached",
    title: "Monthly spend cap reached",
    detail: (e) => `This call ($${formatUsd(e.priceMicroUsd)}) would take the key past its monthly cap of $${formatUsd(e.capMicroUsd)} (spent $${formatUsd(e.spentMicroUsd)}).`,
    extra: (e) => ({ limit_micro_usd: e.capMicroUsd, used_micro_usd: e.spentMicroUsd, hint: "Raise the key's spend cap or wait for the next month (UTC)." }),
  },
  UnknownAgentAlias: {
    status: 404,
    code: "agent_not_found",
    title: "Agent not found",
    detail: (e) => `No agent is called ${JSON.stringify(e.ref)}. Use the agent's marketplace UUID or a configured alias.`,
  },
  StorageAgentNotConfigured: {
    status: 503,
    code: "storage_agent_not_configured",
    title: "Storage agent not configured",
    detail: (e) => `/v1/${e.feature} has no agent on this network. The operator must set ${e.variable} to the marketplace UUID of the ${e.feature === "memory" ? "WarmMemory" : "WarmAnswers"} agent to use.`,
    extra: (e) => ({ variable: e.variable }),
  },
  IdempotencyKeyReused: {
    status: 422,
    code: "idempotency_key_reused",
    title: "Idempotency-Key reused with a different request",
    detail: () => "This Idempotency-Key was used with a different request body in the last 24 hours. Use a new key for a new request.",
  },
  IdempotencyInFlight: {
    status: 409,
    code: "idempotency_in_flight",
    title: "Request already in progress",
    detail: () => "A request with this Idempotency-Key is still being processed (or was interrupted). Retry later to get its result.",
    headers: () => ({ "retry-after": "2" }),
  },
  IdempotencyKeyInvalid: {
    status: 400,
    code: "idempotency_key_invalid",
    title: "Invalid Idempotency-Key",
    detail: () => "Idempotency-Key must be 1 to 255 printable ASCII characters.",
  },
  StripeRequestFailed: {
    status: 502,
    code: "billing_provider_error",
    title: "Billing provider error",
    detail: (e) => (e.kind === "fatal" ? "The billing provider refused the request." : "The billing provider did not answer. Retry shortly."),
    headers: (e): Record<string, string> => (e.kind === "fatal" ? {} : { "retry-after": String(Math.max(1, Math.ceil((e.retryAfterMs ?? 5000) / 1000))) }),
  },
  BillingDisabled: {
    status: 503,
    code: "billing_disabled",
    title: "Billing is not configured",
    detail: () => "This gateway does not bill through Stripe (STRIPE_SECRET_KEY is unset).",
  },
  WebhookNotConfigured: {
    status: 503,
    code: "webhook_not_configured",
    title: "Webhook not configured",
    detail: (e) => `This gateway has no Stripe signing secret for this endpoint (${e.setting} is unset).`,
  },
  WebhookRejected: {
    status: 400,
    code: "webhook_rejected",
    title: "Webhook rejected",
    detail: (e) => `The delivery is not a valid Stripe event: ${e.reason}.`,
  },
  CardRequired: {
    status: 402,
    code: "card_required",
    title: "Card verification required",
    detail: (e) =>
      e.reason === "free_tier_requires_card"
        ? "This gateway requires a verified card before free-tier keys can call agents. Nothing was charged."
        : "Save a card before subscribing to a paid tier.",
    extra: (e) => ({ reason: e.reason, hint: "POST /v1/billing/card (signed in) returns a SetupIntent client_secret; confirm it with Stripe.js. Calls work once Stripe confirms the card." }),
  },
  NoSubscription: {
    status: 409,
    code: "no_subscription",
    title: "No subscription",
    detail: () => "This account has no active subscription to cancel.",
  },
  RateLimited: {
    status: 429,
    code: "rate_limited",
    title: "Rate limit exceeded",
    detail: (e) => `This key may make ${e.limit} calls per minute. Retry in ${e.retryAfterSeconds} seconds.`,
    extra: (e) => ({ limit: e.limit, remaining: e.remaining, reset: e.resetSeconds, retry_after: e.retryAfterSeconds }),
    headers: (e) => ({ ...rateLimitHeaders(e), "retry-after": String(e.retryAfterSeconds) }),
  },
  // No RateLimit headers: they describe a per-minute quota, and concurrency is
  // not one; a client reading them would pace itself wrongly.
  ConcurrencyLimitExceeded: {
    status: 429,
    code: "concurrency_limit_exceeded",
    title: "Too many calls in flight",
    detail: (e) => `This key may have ${e.limit} calls in flight at once. Retry when one of them has finished.`,
    extra: (e) => ({ limit: e.limit, retry_after: e.retryAfterSeconds }),
    headers: (e) => ({ "retry-after": String(e.retryAfterSeconds) }),
  },
  // Failing closed: a limiter that cannot count must not let unmetered calls spend money.
  LimiterUnavailable: {
    status: 503,
    code: "limiter_unavailable",
    title: "Rate limiter unavailable",
    detail: () => "The rate limiter's store did not answer, so the call was not made and nothing was charged. Retry shortly.",
    headers: () => ({ "retry-after": "5" }),
  },
}

export const isAppError = (e: unknown): e is AppError =>
  typeof e === "object" && e !== null && "_tag" in e && typeof (e as { _tag: unknown })._tag === "string" && (e as { _tag: string })._tag in errorMap

export const toProblem = (e: AppError, requestId: string): { body: ProblemBody; headers: Record<string, string> } => {
  const m = errorMap[e._tag] as Mapping<AppError>
  return {
    body: {
      type: problemType(m.code),
      title: m.title,
      status: m.status,
      detail: m.detail(e),
      code: m.code,
      request_id: requestId,
      ...(m.extra ? m.extra(e) : {}),
    },
    headers: m.headers ? m.headers(e) : {},
  }
}

/** A bug: generic text for the caller, details only in the log. */
export const internalProblem = (requestId: string): ProblemBody => ({
  type: problemType("internal_error"),
  title: "Internal error",
  status: 500,
  detail: "Something went wrong on our side. Quote the request id if you contact support.",
  code: "internal_error",
  request_id: requestId,
})

// The one place where typed failures become HTTP. The record is keyed by every
// tag of AppError, so a new error without a status does not compile.
import { BodyTooLarge, InvalidInput, MalformedJson, RouteNotFound, StoreUnavailable, UnsupportedMediaType } from "../platform/http/errors"
import { BillingDisabled, StripeRequestFailed, WebhookNotConfigured, WebhookRejected } from "../modules/billing/errors"
import { problemType, type ProblemBody } from "../platform/http/problem"

export type AppError =
  | MalformedJson
  | BodyTooLarge
  | UnsupportedMediaType
  | RouteNotFound
  | InvalidInput
  | StoreUnavailable
  | StripeRequestFailed
  | BillingDisabled
  | WebhookNotConfigured
  | WebhookRejected

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
    detail: () => "This gateway has no Stripe webhook signing secret (STRIPE_WEBHOOK_SECRET is unset).",
  },
  WebhookRejected: {
    status: 400,
    code: "webhook_rejected",
    title: "Webhook rejected",
    detail: (e) => `The delivery is not a valid Stripe event: ${e.reason}.`,
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

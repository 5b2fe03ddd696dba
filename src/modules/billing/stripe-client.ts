// The Stripe service: the SDK behind a small interface, configured from the
// environment. With no STRIPE_SECRET_KEY the "none" implementation answers
// every call with BillingDisabled, so usage is only recorded locally.
//
// The SDK's own retries are off (maxNetworkRetries 0): callers retry with
// their own policy (reporter.ts), which sees every attempt. Mutating calls
// carry idempotency keys derived from our ids, so a retried call is one call
// at Stripe.
import { Context, Effect, Layer } from "effect"
import Stripe from "stripe"
import { measured, stripeRequests } from "../../platform/metrics"
import type { Config } from "../../platform/config/config"
import { AppConfig } from "../../platform/config/service"
import { BillingDisabled, StripeRequestFailed, type StripeFailureKind, type WebhookNotConfigured, type WebhookRejected } from "./errors"
import { makeVerify, makeVerifyThin, type ThinEventNotification } from "./webhook-signature"

/** The API version this SDK release ships with; pinned so a Stripe account upgrade cannot change shapes under us. */
export const STRIPE_API_VERSION = "2026-10-28.endive" as const

export type MeterEventInput = {
  /** Our usage row id: Stripe drops a second event with the same identifier. */
  readonly identifier: string
  readonly customerId: string
  /** Whole micro-USD. */
  readonly value: number
  /** Unix seconds: the time of the call. */
  readonly timestamp: number
}

export type SubscriptionSummary = {
  readonly id: string
  readonly status: string
  readonly tier: string | undefined
  readonly cancelAtPeriodEnd: boolean
  readonly created: number
}

/** An invoice as Stripe lists it, amounts still in Stripe's minor units. */
export type InvoiceSummary = {
  readonly id: string
  /** Null while a draft. */
  readonly number: string | null
  /** draft, open, paid, uncollectible or void. */
  readonly status: string | null
  /** Lowercase ISO code; minor units depend on it (cents for usd). */
  readonly currency: string
  /** Minor units of `currency`. */
  readonly amountDue: number
  /** Minor units of `currency`. */
  readonly amountPaid: number
  /** Unix seconds. */
  readonly periodStart: number
  /** Unix seconds. */
  readonly periodEnd: number
  /** Unix seconds. */
  readonly created: number
  /** Null until finalized. */
  readonly hostedInvoiceUrl: string | null
}

const invoiceSummaryOf = (inv: Stripe.Invoice): InvoiceSummary => ({
  id: inv.id,
  number: inv.number,
  status: inv.status,
  currency: inv.currency,
  amountDue: inv.amount_due,
  amountPaid: inv.amount_paid,
  periodStart: inv.period_start,
  periodEnd: inv.period_end,
  created: inv.created,
  hostedInvoiceUrl: inv.hosted_invoice_url ?? null,
})

const customerIdOf = (inv: Stripe.Invoice): string | undefined => (typeof inv.customer === "string" ? inv.customer : inv.customer?.id)

const summaryOf = (sub: Stripe.Subscription): SubscriptionSummary => ({
  id: sub.id,
  status: sub.status,
  tier: sub.metadata?.tier,
  cancelAtPeriodEnd: sub.cancel_at_period_end === true,
  created: sub.created,
})

export type StripeShape = {
  readonly enabled: boolean
  readonly meterEventName: string
  readonly priceId: string | undefined
  /** Runs one SDK call, failures classified. For calls not wrapped below (the setup command). */
  readonly call: <A>(operation: string, f: (stripe: Stripe) => Promise<A>) => Effect.Effect<A, StripeRequestFailed | BillingDisabled>
  /** "accepted", or "duplicate" when Stripe already holds an event with this identifier. */
  readonly reportMeterEvent: (event: MeterEventInput) => Effect.Effect<"accepted" | "duplicate", StripeRequestFailed | BillingDisabled>
  readonly createCustomer: (user: { readonly id: string; readonly email: string }) => Effect.Effect<string, StripeRequestFailed | BillingDisabled>
  /** A SetupIntent for saving a card; returns its client secret for the browser. */
  readonly createSetupIntent: (input: { readonly userId: string; readonly customerId: string; readonly attempt: string }) => Effect.Effect<{ id: string; clientSecret: string }, StripeRequestFailed | BillingDisabled>
  /**
   * A subscription on the metered price (STRIPE_PRICE_ID) with metadata tier.
   * `attempt` goes into the idempotency key: the same attempt is one subscription.
   */
  readonly createSubscription: (input: {
    readonly userId: string
    readonly customerId: string
    readonly tier: string
    readonly attempt: string
    /** The card invoices are charged to (from the customer's latest succeeded SetupIntent). */
    readonly defaultPaymentMethod: string | undefined
  }) => Effect.Effect<string, StripeRequestFailed | BillingDisabled>
  /** The payment method of the customer's newest succeeded SetupIntent, if any. */
  readonly savedPaymentMethod: (customerId: string) => Effect.Effect<string | undefined, StripeRequestFailed | BillingDisabled>
  /** The customer's subscriptions, newest first (all statuses, at most 100). */
  readonly listSubscriptions: (customerId: string) => Effect.Effect<ReadonlyArray<SubscriptionSummary>, StripeRequestFailed | BillingDisabled>
  /**
   * The customer's newest `limit` invoices (1–100), newest first, in one list
   * call; `hasMore` when Stripe holds older ones.
   */
  readonly listInvoices: (customerId: string, limit: number) => Effect.Effect<{ readonly invoices: ReadonlyArray<InvoiceSummary>; readonly hasMore: boolean }, StripeRequestFailed | BillingDisabled>
  /** Sets the tier metadata and/or cancel_at_period_end of a subscription. */
  readonly updateSubscription: (
    id: string,
    change: { readonly tier?: string; readonly cancelAtPeriodEnd: boolean },
    idempotencyKey: string,
  ) => Effect.Effect<SubscriptionSummary, StripeRequestFailed | BillingDisabled>
  /** Verifies a webhook delivery against the raw body and returns the event. */
  readonly verifyWebhook: (rawBody: string, signature: string | null) => Effect.Effect<Stripe.Event, WebhookRejected | WebhookNotConfigured>
  /** Verifies a thin-event delivery (an event destination's, STRIPE_THIN_WEBHOOK_SECRET) and returns the notification. */
  readonly verifyThinEvent: (rawBody: string, signature: string | null) => Effect.Effect<ThinEventNotification, WebhookRejected | WebhookNotConfigured>
  /** A thin event with its `data` (GET /v2/core/events/:id): notifications carry ids only. Unchecked, as Stripe sent it. */
  readonly fetchEvent: (id: string) => Effect.Effect<unknown, StripeRequestFailed | BillingDisabled>
}

const secondsFromHeader = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const n = Number(value)
  return Number.isFinite(n) && n >= 0 ? Math.round(n * 1000) : undefined
}

/** Sorts an SDK failure into retry / indeterminate / fatal. */
export const classifyStripeError = (operation: string, e: unknown): StripeRequestFailed => {
  const err = e as Partial<Stripe.errors.StripeError> & { type?: string; message?: string }
  const status = typeof err.statusCode === "number" ? err.statusCode : undefined
  const code = typeof err.code === "string" ? err.code : undefined
  const errorType = typeof err.rawType === "string" ? err.rawType : undefined
  const headers = (err.headers ?? {}) as Record<string, string>
  let kind: StripeFailureKind
  // A connection error may come after Stripe acted (timeout, reply lost), so it is never plain "retry".
  if (err.type === "StripeConnectionError") kind = "indeterminate"
  else if (err.type === "StripeRateLimitError" || status === 429) kind = "retry"
  else if (status === 409 || code === "lock_timeout") kind = "retry"
  else if (status !== undefined && status >= 500) kind = headers["stripe-should-retry"] === "false" ? "fatal" : "indeterminate"
  else if (err.type === undefined || !err.type.startsWith("Stripe")) kind = "indeterminate"
  else kind = "fatal"
  // Authentication messages quote part of the key; keep them out of every error and log.
  const reason = err.type === "StripeAuthenticationError" || err.type === "StripePermissionError" ? "Stripe refused the API key" : String(err.message ?? "unknown error").slice(0, 300)
  return new StripeRequestFailed({ operation, kind, status, code, errorType, reason, retryAfterMs: secondsFromHeader(headers["retry-after"]) })
}

// Stripe's words for a meter event whose identifier it already holds:
// "An event already exists with identifier <id>." (HTTP 400,
// invalid_request_error, Stripe-Should-Retry: false, and no error code to
// match on, so the message is all there is).
const DUPLICATE_IDENTIFIER = /\balready exists with identifier\s+(\S+?)\.?$/i

/**
 * True when Stripe refused the meter event `identifier` because it already
 * holds an event with that identifier: the event is billed, so the row counts
 * as reported. The message must name this very identifier, so no other
 * "already exists" refusal is taken for an accepted event.
 */
export const isDuplicateIdentifier = (e: StripeRequestFailed, identifier: string): boolean => {
  if (e.status !== 400 || e.errorType !== "invalid_request_error") return false
  return DUPLICATE_IDENTIFIER.exec(e.reason.trim())?.[1] === identifier
}

export const stripeSdkFor = (config: Config, secretKey: string): Stripe => {
  const base = config.stripeApiBase ? new URL(config.stripeApiBase) : undefined
  return new Stripe(secretKey, {
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: 0,
    timeout: config.stripeTimeoutMs,
    telemetry: false,
    ...(base
      ? { host: base.hostname, port: base.port || (base.protocol === "https:" ? 443 : 80), protocol: base.protocol === "http:" ? ("http" as const) : ("https" as const) }
      : {}),
  })
}

const none = (config: Config): StripeShape => {
  const off = (operation: string) => Effect.fail(new BillingDisabled({ operation }))
  // Webhook verification needs no key; the SDK's verifiers are usable without one.
  const keyless = new Stripe("sk_test_unused", { apiVersion: STRIPE_API_VERSION })
  return {
    enabled: false,
    meterEventName: config.stripeMeterEventName,
    priceId: config.stripePriceId,
    call: (operation) => off(operation),
    reportMeterEvent: () => off("billing.meterEvents.create"),
    createCustomer: () => off("customers.create"),
    createSetupIntent: () => off("setupIntents.create"),
    createSubscription: () => off("subscriptions.create"),
    listSubscriptions: () => off("subscriptions.list"),
    savedPaymentMethod: () => off("setupIntents.list"),
    listInvoices: () => off("invoices.list"),
    updateSubscription: () => off("subscriptions.update"),
    verifyWebhook: makeVerify(config, keyless.webhooks),
    verifyThinEvent: makeVerifyThin(config, keyless),
    fetchEvent: () => off("v2.core.events.retrieve"),
  }
}

export const makeStripe = (config: Config): StripeShape => {
  if (!config.stripeSecretKey) return none(config)
  const stripe = stripeSdkFor(config, config.stripeSecretKey)
  const call = <A>(operation: string, f: (s: Stripe) => Promise<A>) =>
    measured(stripeRequests, operation, Effect.tryPromise({ try: () => f(stripe), catch: (e) => classifyStripeError(operation, e) }), { failure: (e) => e.kind }).pipe(Effect.withSpan(`Stripe.${operation}`))

  return {
    enabled: true,
    meterEventName: config.stripeMeterEventName,
    priceId: config.stripePriceId,
    call,
    // Meter events need no Idempotency-Key: the identifier is Stripe's dedup key for them.
    reportMeterEvent: (event) =>
      call("billing.meterEvents.create", (s) =>
        s.billing.meterEvents.create({
          event_name: config.stripeMeterEventName,
          identifier: event.identifier,
          timestamp: event.timestamp,
          payload: { stripe_customer_id: event.customerId, value: String(event.value) },
        }),
      ).pipe(
        Effect.as("accepted" as const),
        Effect.catchIf((e) => e._tag === "StripeRequestFailed" && isDuplicateIdentifier(e, event.identifier), () => Effect.succeed("duplicate" as const)),
      ),
    createCustomer: (user) =>
      call("customers.create", (s) => s.customers.create({ email: user.email, metadata: { tdk_user_id: user.id } }, { idempotencyKey: `customer:${user.id}` })).pipe(Effect.map((c) => c.id)),
    createSetupIntent: (input) =>
      call("setupIntents.create", (s) =>
        s.setupIntents.create({ customer: input.customerId, usage: "off_session", metadata: { tdk_user_id: input.userId } }, { idempotencyKey: `setup_intent:${input.userId}:${input.attempt}` }),
      ).pipe(Effect.map((si) => ({ id: si.id, clientSecret: si.client_secret ?? "" }))),
    createSubscription: (input) =>
      Effect.gen(function* () {
        const priceId = config.stripePriceId
        if (!priceId) return yield* new StripeRequestFailed({ operation: "subscriptions.create", kind: "fatal", status: undefined, code: "price_not_configured", errorType: undefined, reason: "STRIPE_PRICE_ID is unset", retryAfterMs: undefined })
        const sub = yield* call("subscriptions.create", (s) =>
          s.subscriptions.create(
            {
              customer: input.customerId,
              items: [{ price: priceId }],
              metadata: { tdk_user_id: input.userId, tier: input.tier },
              ...(input.defaultPaymentMethod ? { default_payment_method: input.defaultPaymentMethod } : {}),
            },
            // Not keyed by tier: two racing subscribe calls with different tiers must
            // collide (Stripe refuses the second) rather than create two subscriptions
            // on one metered price, which would bill the usage twice.
            { idempotencyKey: `subscription:${input.userId}:${input.attempt}` },
          ),
        )
        return sub.id
      }),
    savedPaymentMethod: (customerId) =>
      call("setupIntents.list", (s) => s.setupIntents.list({ customer: customerId, limit: 20 })).pipe(
        Effect.map((page) => {
          const pm = page.data.filter((si) => si.status === "succeeded" && si.payment_method).sort((a, b) => b.created - a.created)[0]?.payment_method
          return typeof pm === "string" ? pm : pm?.id
        }),
      ),
    listSubscriptions: (customerId) =>
      call("subscriptions.list", (s) => s.subscriptions.list({ customer: customerId, status: "all", limit: 100 })).pipe(
        Effect.map((page) => page.data.map(summaryOf).sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : -1))),
      ),
    listInvoices: (customerId, limit) =>
      call("invoices.list", (s) => s.invoices.list({ customer: customerId, limit })).pipe(
        Effect.map((page) => ({
          // Stripe lists every invoice of the account when `customer` does not reach it;
          // whatever was sent, a user is never shown another customer's invoice.
          invoices: page.data.filter((inv) => customerIdOf(inv) === customerId).map(invoiceSummaryOf).sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : -1)),
          hasMore: page.has_more,
        })),
      ),
    updateSubscription: (id, change, idempotencyKey) =>
      call("subscriptions.update", (s) =>
        s.subscriptions.update(id, { cancel_at_period_end: change.cancelAtPeriodEnd, ...(change.tier ? { metadata: { tier: change.tier } } : {}) }, { idempotencyKey }),
      ).pipe(Effect.map(summaryOf)),
    verifyWebhook: makeVerify(config, stripe.webhooks),
    verifyThinEvent: makeVerifyThin(config, stripe),
    fetchEvent: (id) => call<unknown>("v2.core.events.retrieve", (s) => s.v2.core.events.retrieve(id)),
  }
}

export class StripeClient extends Context.Service<StripeClient, StripeShape>()("tdk/StripeClient") {
  static readonly layer = Layer.effect(
    StripeClient,
    Effect.gen(function* () {
      return makeStripe(yield* AppConfig)
    }),
  )

  /** A fixed implementation (tests). */
  static readonly fromConfig = (config: Config) => Layer.succeed(StripeClient, makeStripe(config))
}

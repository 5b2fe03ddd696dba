// A small Stripe API on loopback that the real `stripe` SDK talks to: enough
// state for customers, setup intents, products, prices, billing meters, meter
// events, subscriptions and invoices (listed as Stripe lists them: by
// customer, newest first, `limit` checked), Stripe-shaped errors, Idempotency-Key
// replay, and failure injection (5xx, 429 + Retry-After, stalls, dropped
// connections) on demand or at a seeded random rate. Meter events are
// validated in part later, as Stripe does: those it then drops (an unknown
// customer, or a rule a test sets) come back in a signed thin event,
// v1.billing.meter.error_report_triggered, served at /v2/core/events/:id.
//
// node:http rather than Bun.serve: a dropped connection needs the socket
// itself (`socket.destroy()`), which Bun.serve does not expose.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { parseForm } from "./form"
import { meterErrorData, notificationOf, stripeSignature, type AsyncMeterError, type RelatedObject, type ThinEvent } from "./thin-events"

/**
 * "stall" holds a request before acting on it; "hang_after" acts and never
 * answers (a process killed while Stripe's answer is on the way).
 */
export type Fault = "500" | "429" | "stall" | "drop" | "drop_after" | "hang_after"

export type StoredMeterEvent = {
  readonly identifier: string
  readonly event_name: string
  readonly payload: Record<string, string>
  readonly timestamp: number
  readonly created: number
}

type Reply = { status: number; body: unknown; headers?: Record<string, string> }

const DAY_S = 86_400

/** mulberry32: a tiny seeded PRNG, so a chaos run can be replayed. */
const seeded = (seed: number) => () => {
  seed |= 0
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

// Stripe's error object: `code` and `doc_url` only when the error has a code,
// `param` only when it is about one parameter; `request_log_url` (filled in
// by send, with the request id of the reply) always.
const stripeError = (status: number, type: string, code: string | undefined, message: string, param?: string, headers?: Record<string, string>): Reply => ({
  status,
  body: { error: { ...(code ? { code, doc_url: `https://stripe.com/docs/error-codes/${code.replace(/_/g, "-")}` } : {}), message, ...(param ? { param } : {}), type } },
  ...(headers ? { headers } : {}),
})

// Stripe's answers to a bad `limit` on a list endpoint (1 to 100, default 10).
const listLimit = (q: URLSearchParams): number | Reply => {
  const raw = q.get("limit")
  if (raw === null) return 10
  if (raw === "")
    return stripeError(400, "invalid_request_error", "parameter_invalid_empty", "You passed an empty string for 'limit'. We assume empty values are an attempt to unset a parameter; however 'limit' cannot be unset. You should remove 'limit' from your request or supply a non-empty value.", "limit")
  if (!/^[+-]?\d+$/.test(raw)) return stripeError(400, "invalid_request_error", "parameter_invalid_integer", `Invalid integer: ${raw}`, "limit")
  const limit = Number(raw)
  if (limit < 1) return stripeError(400, "invalid_request_error", "parameter_invalid_integer", "This value must be greater than or equal to 1.", "limit")
  if (limit > 100) return stripeError(400, "invalid_request_error", "parameter_invalid_integer", `This value must be less than or equal to 100 (it currently is '${limit}').`, "limit")
  return limit
}

/** What a test may set on a seeded invoice; the rest is filled in as Stripe would. */
export type InvoiceSeed = {
  readonly status?: "draft" | "open" | "paid" | "uncollectible" | "void"
  /** Minor units (cents for usd). */
  readonly amount_due?: number
  /** Minor units; defaults to amount_due when paid, else 0. */
  readonly amount_paid?: number
  readonly currency?: string
  /** Unix seconds; defaults to the fake's now. */
  readonly created?: number
  /** Unix seconds; default: 30 days before `created`. */
  readonly period_start?: number
  readonly period_end?: number
  readonly number?: string | null
  readonly hosted_invoice_url?: string | null
}

export type FakeStripeOptions = {
  /** Current time in ms (meter event windows); defaults to the wall clock. */
  readonly now?: () => number
  /** How long a stalled request is held before it is answered, ms. */
  readonly stallMs?: number
  /** Retry-After sent with injected 429s, seconds. */
  readonly retryAfterSeconds?: number
  /** Sample errors per error code in a meter error report (Stripe sends a few, not all). */
  readonly meterErrorSamples?: number
  /** Time every request takes before Stripe acts on it, ms (a distant Stripe's round trip). */
  readonly latencyMs?: number
}

export const startFakeStripe = async (options: FakeStripeOptions = {}) => {
  const now = options.now ?? Date.now
  const nowS = () => Math.floor(now() / 1000)
  let seq = 0
  const id = (prefix: string) => `${prefix}_fake${(++seq).toString(36).padStart(8, "0")}`

  const customers = new Map<string, any>()
  const setupIntents = new Map<string, any>()
  const products = new Map<string, any>()
  const prices = new Map<string, any>()
  const meters = new Map<string, any>()
  const subscriptions = new Map<string, any>()
  const invoices = new Map<string, any>()
  const meterEvents: Array<StoredMeterEvent> = []
  // Meter events accepted (200) but dropped by Stripe's later validation, waiting for the next error report.
  let asyncErrors: Array<AsyncMeterError> = []
  const thinEvents = new Map<string, ThinEvent>()
  const identifiers = new Map<string, number>()
  const idempotent = new Map<string, { fingerprint: string; reply: Reply }>()

  let latencyMs = options.latencyMs ?? 0
  const counters = { requests: 0, faults: 0, byRoute: {} as Record<string, number>, idempotentReplays: 0, duplicateIdentifiers: 0, maxInFlightPerCustomer: 0 }
  const customerInFlight = new Map<string, number>()

  let failNext: Array<{ fault: Fault; match?: RegExp; where?: (params: Record<string, any>) => boolean }> = []
  let random: { p: number; next: () => number; faults: ReadonlyArray<Fault> } | undefined

  const list = (items: Array<any>, url: string) => ({ object: "list", data: items, has_more: false, url })

  // The fields of Stripe's invoice object the gateway reads, with what Stripe
  // holds for each status: a draft has no number and no hosted page yet.
  let invoiceNumber = 0
  const invoiceOf = (customer: string, seed: InvoiceSeed = {}) => {
    const status = seed.status ?? "draft"
    const created = seed.created ?? nowS()
    const amountDue = seed.amount_due ?? 0
    const amountPaid = seed.amount_paid ?? (status === "paid" ? amountDue : 0)
    const inv = {
      id: id("in"), object: "invoice", created, customer, status, currency: seed.currency ?? "usd",
      amount_due: amountDue, amount_paid: amountPaid, amount_remaining: amountDue - amountPaid,
      period_start: seed.period_start ?? created - 30 * DAY_S, period_end: seed.period_end ?? created,
      number: null as string | null, hosted_invoice_url: null as string | null, invoice_pdf: null as string | null,
      metadata: {}, livemode: false,
    }
    if (status !== "draft") {
      inv.number = `FAKE-${String(++invoiceNumber).padStart(4, "0")}`
      inv.hosted_invoice_url = `https://invoice.stripe.com/i/acct_fake/test_${inv.id}`
      inv.invoice_pdf = `https://pay.stripe.com/invoice/acct_fake/test_${inv.id}/pdf`
    }
    if (seed.number !== undefined) inv.number = seed.number
    if (seed.hosted_invoice_url !== undefined) inv.hosted_invoice_url = seed.hosted_invoice_url
    invoices.set(inv.id, inv)
    return inv
  }

  const handlers: Array<{ method: string; pattern: RegExp; run: (m: RegExpMatchArray, params: Record<string, any>, query: URLSearchParams) => Reply | Promise<Reply> }> = [
    {
      method: "POST",
      pattern: /^\/v1\/customers$/,
      run: (_m, p) => {
        const c = { id: id("cus"), object: "customer", created: nowS(), email: p.email ?? null, name: p.name ?? null, metadata: p.metadata ?? {}, livemode: false }
        customers.set(c.id, c)
        return { status: 200, body: c }
      },
    },
    {
      method: "GET",
      pattern: /^\/v1\/customers\/([^/]+)$/,
      run: (m) => (customers.has(m[1]!) ? { status: 200, body: customers.get(m[1]!) } : stripeError(404, "invalid_request_error", "resource_missing", `No such customer: '${m[1]}'`, "id")),
    },
    {
      method: "POST",
      pattern: /^\/v1\/setup_intents$/,
      run: (_m, p) => {
        if (p.customer && !customers.has(p.customer)) return stripeError(400, "invalid_request_error", "resource_missing", `No such customer: '${p.customer}'`, "customer")
        const s = { id: id("seti"), object: "setup_intent", created: nowS(), customer: p.customer ?? null, status: "requires_payment_method", payment_method: null as string | null, usage: p.usage ?? "off_session", metadata: p.metadata ?? {} }
        const secret = `${s.id}_secret_fake`
        setupIntents.set(s.id, s)
        return { status: 200, body: { ...s, client_secret: secret } }
      },
    },
    {
      method: "GET",
      pattern: /^\/v1\/setup_intents$/,
      run: (_m, _p, q) => ({ status: 200, body: list([...setupIntents.values()].filter((x) => !q.get("customer") || x.customer === q.get("customer")).reverse(), "/v1/setup_intents") }),
    },
    {
      method: "POST",
      pattern: /^\/v1\/products$/,
      run: (_m, p) => {
        const pid = p.id ?? id("prod")
        if (products.has(pid)) return stripeError(400, "invalid_request_error", "resource_already_exists", `Product already exists.`, "id")
        const product = { id: pid, object: "product", active: true, created: nowS(), name: p.name, metadata: p.metadata ?? {}, livemode: false }
        products.set(pid, product)
        return { status: 200, body: product }
      },
    },
    {
      method: "GET",
      pattern: /^\/v1\/products\/([^/]+)$/,
      run: (m) => (products.has(m[1]!) ? { status: 200, body: products.get(m[1]!) } : stripeError(404, "invalid_request_error", "resource_missing", `No such product: '${m[1]}'`, "id")),
    },
    { method: "GET", pattern: /^\/v1\/products$/, run: () => ({ status: 200, body: list([...products.values()], "/v1/products") }) },
    {
      method: "POST",
      pattern: /^\/v1\/prices$/,
      run: (_m, p) => {
        if (!products.has(p.product)) return stripeError(400, "invalid_request_error", "resource_missing", `No such product: '${p.product}'`, "product")
        if (p.recurring?.usage_type === "metered" && !meters.has(p.recurring?.meter)) return stripeError(400, "invalid_request_error", "resource_missing", "A metered price needs an existing meter.", "recurring[meter]")
        if (p.lookup_key && [...prices.values()].some((x) => x.lookup_key === p.lookup_key)) return stripeError(400, "invalid_request_error", "lookup_key_exists", `A price with lookup_key ${p.lookup_key} already exists.`, "lookup_key")
        const price = {
          id: id("price"), object: "price", active: true, created: nowS(), currency: p.currency, product: p.product, lookup_key: p.lookup_key ?? null,
          unit_amount_decimal: p.unit_amount_decimal ?? null, unit_amount: null, billing_scheme: "per_unit", type: p.recurring ? "recurring" : "one_time",
          recurring: p.recurring ? { interval: p.recurring.interval, interval_count: 1, meter: p.recurring.meter ?? null, usage_type: p.recurring.usage_type ?? "licensed" } : null,
          metadata: p.metadata ?? {}, livemode: false,
        }
        prices.set(price.id, price)
        return { status: 200, body: price }
      },
    },
    {
      method: "GET",
      pattern: /^\/v1\/prices$/,
      run: (_m, _p, q) => {
        const keys = [...q.entries()].filter(([k]) => k.startsWith("lookup_keys")).map(([, v]) => v)
        return { status: 200, body: list([...prices.values()].filter((x) => keys.length === 0 || keys.includes(x.lookup_key)), "/v1/prices") }
      },
    },
    {
      method: "POST",
      pattern: /^\/v1\/billing\/meters$/,
      run: (_m, p) => {
        if ([...meters.values()].some((x) => x.event_name === p.event_name && x.status === "active"))
          return stripeError(400, "invalid_request_error", undefined, `An active meter with event_name ${p.event_name} already exists.`, "event_name")
        const meter = {
          id: id("mtr"), object: "billing.meter", created: nowS(), updated: nowS(), display_name: p.display_name, event_name: p.event_name, status: "active", livemode: false,
          default_aggregation: { formula: p.default_aggregation?.formula },
          customer_mapping: p.customer_mapping ?? { type: "by_id", event_payload_key: "stripe_customer_id" },
          value_settings: p.value_settings ?? { event_payload_key: "value" },
          event_time_window: null, status_transitions: { deactivated_at: null },
        }
        meters.set(meter.id, meter)
        return { status: 200, body: meter }
      },
    },
    {
      method: "GET",
      pattern: /^\/v1\/billing\/meters$/,
      run: (_m, _p, q) => ({ status: 200, body: list([...meters.values()].filter((x) => !q.get("status") || x.status === q.get("status")), "/v1/billing/meters") }),
    },
    {
      method: "POST",
      pattern: /^\/v1\/billing\/meter_events$/,
      run: (_m, p) => {
        const meter = [...meters.values()].find((x) => x.event_name === p.event_name && x.status === "active")
        const payload = (p.payload ?? {}) as Record<string, string>
        const customerKey = meter?.customer_mapping.event_payload_key ?? "stripe_customer_id"
        const valueKey = meter?.value_settings.event_payload_key ?? "value"
        if (!payload[customerKey]) return stripeError(400, "invalid_request_error", "parameter_missing", `Missing required payload key: ${customerKey}`, `payload[${customerKey}]`)
        const value = payload[valueKey]
        if (value === undefined || !/^-?\d+$/.test(value)) return stripeError(400, "invalid_request_error", "parameter_invalid_integer", `The payload value for ${valueKey} must be a whole number.`, `payload[${valueKey}]`)
        const timestamp = p.timestamp === undefined ? nowS() : Number(p.timestamp)
        if (!Number.isInteger(timestamp) || timestamp < nowS() - 35 * DAY_S || timestamp > nowS() + 300)
          return stripeError(400, "invalid_request_error", "timestamp_out_of_range", "Timestamp must be within the past 35 calendar days or up to 5 minutes in the future.", "timestamp")
        const identifier = (p.identifier as string | undefined) ?? id("mevt")
        const seen = identifiers.get(identifier)
        if (seen !== undefined && seen > nowS() - DAY_S) {
          counters.duplicateIdentifiers++
          // Word for word what Stripe answers: no error code and no param, only the message and a no-retry header.
          return stripeError(400, "invalid_request_error", undefined, `An event already exists with identifier ${identifier}.`, undefined, { "stripe-should-retry": "false" })
        }
        identifiers.set(identifier, nowS())
        const event: StoredMeterEvent = { identifier, event_name: p.event_name, payload, timestamp, created: nowS() }
        meterEvents.push(event)
        // As Stripe does, the customer is checked after the answer: an unknown one is reported later.
        if (!customers.has(payload[customerKey]!))
          asyncErrors.push({ identifier, code: "meter_event_customer_not_found", message: `Customer ${payload[customerKey]} not found.`, at: now() })
        return { status: 200, body: { object: "billing.meter_event", livemode: false, ...event } }
      },
    },
    {
      method: "POST",
      pattern: /^\/v1\/subscriptions$/,
      run: (_m, p) => {
        if (!customers.has(p.customer)) return stripeError(400, "invalid_request_error", "resource_missing", `No such customer: '${p.customer}'`, "customer")
        const items = ((p.items ?? []) as Array<{ price: string }>).map((i) => ({ id: id("si"), object: "subscription_item", price: prices.get(i.price) ?? { id: i.price } }))
        if (items.some((i) => !prices.has(i.price.id))) return stripeError(400, "invalid_request_error", "resource_missing", "No such price", "items")
        const sub = { id: id("sub"), object: "subscription", created: nowS(), customer: p.customer, status: "active", cancel_at_period_end: false, default_payment_method: p.default_payment_method ?? null, metadata: p.metadata ?? {}, items: list(items, "/v1/subscription_items"), livemode: false }
        subscriptions.set(sub.id, sub)
        return { status: 200, body: sub }
      },
    },
    {
      method: "GET",
      pattern: /^\/v1\/subscriptions\/([^/]+)$/,
      run: (m) => (subscriptions.has(m[1]!) ? { status: 200, body: subscriptions.get(m[1]!) } : stripeError(404, "invalid_request_error", "resource_missing", `No such subscription: '${m[1]}'`, "id")),
    },
    {
      method: "GET",
      pattern: /^\/v1\/subscriptions$/,
      run: (_m, _p, q) => {
        const status = q.get("status")
        const matches = [...subscriptions.values()].filter((x) => (!q.get("customer") || x.customer === q.get("customer")) && (status === "all" || x.status === (status ?? "active")))
        return { status: 200, body: list(matches.reverse(), "/v1/subscriptions") }
      },
    },
    {
      method: "POST",
      pattern: /^\/v1\/subscriptions\/([^/]+)$/,
      run: (m, p) => {
        const sub = subscriptions.get(m[1]!)
        if (!sub) return stripeError(404, "invalid_request_error", "resource_missing", `No such subscription: '${m[1]}'`, "id")
        if (p.cancel_at_period_end !== undefined) sub.cancel_at_period_end = p.cancel_at_period_end === "true"
        if (p.metadata) sub.metadata = { ...sub.metadata, ...p.metadata }
        return { status: 200, body: sub }
      },
    },
    {
      method: "DELETE",
      pattern: /^\/v1\/subscriptions\/([^/]+)$/,
      run: (m) => {
        const sub = subscriptions.get(m[1]!)
        if (!sub) return stripeError(404, "invalid_request_error", "resource_missing", `No such subscription: '${m[1]}'`, "id")
        sub.status = "canceled"
        return { status: 200, body: sub }
      },
    },
    {
      method: "POST",
      pattern: /^\/v1\/invoices$/,
      run: (_m, p) => {
        if (!customers.has(p.customer)) return stripeError(400, "invalid_request_error", "resource_missing", `No such customer: '${p.customer}'`, "customer")
        const inv = invoiceOf(p.customer)
        inv.metadata = p.metadata ?? {}
        return { status: 200, body: inv }
      },
    },
    {
      method: "GET",
      pattern: /^\/v1\/invoices$/,
      run: (_m, _p, q) => {
        const limit = listLimit(q)
        if (typeof limit !== "number") return limit
        const customer = q.get("customer")
        if (customer !== null && !customers.has(customer)) return stripeError(400, "invalid_request_error", "resource_missing", `No such customer: '${customer}'`, "customer")
        // Newest first by creation; within one second, the later created first.
        const matches = [...invoices.values()].filter((x) => customer === null || x.customer === customer).reverse().sort((a, b) => b.created - a.created)
        return { status: 200, body: { ...list(matches.slice(0, limit), "/v1/invoices"), has_more: matches.length > limit } }
      },
    },
    {
      method: "GET",
      pattern: /^\/v2\/core\/events\/([^/]+)$/,
      run: (m) => {
        const event = thinEvents.get(decodeURIComponent(m[1]!))
        return event ? { status: 200, body: event } : stripeError(404, "invalid_request_error", "resource_missing", `No such event: '${m[1]}'`)
      },
    },
    {
      method: "GET",
      pattern: /^\/v1\/invoices\/([^/]+)$/,
      run: (m) => (invoices.has(m[1]!) ? { status: 200, body: invoices.get(m[1]!) } : stripeError(404, "invalid_request_error", "resource_missing", `No such invoice: '${m[1]}'`, "id")),
    },
  ]

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      let data = ""
      req.setEncoding("utf8")
      req.on("data", (c: string) => (data += c))
      req.on("end", () => resolve(data))
      req.on("error", reject)
    })

  const send = (res: ServerResponse, reply: Reply) => {
    if (res.destroyed) return
    const requestId = `req_fake${(++seq).toString(36).padStart(10, "0")}`
    const body = reply.body as { error?: Record<string, unknown> }
    const sent = body?.error && !body.error.request_log_url
      ? { error: { ...body.error, request_log_url: `https://dashboard.stripe.com/test/logs/${requestId}?t=${nowS()}` } }
      : reply.body
    res.writeHead(reply.status, { "content-type": "application/json", "request-id": requestId, "stripe-version": "2026-10-28.endive", ...reply.headers })
    res.end(JSON.stringify(sent))
  }

  // A connection closed before any byte of the reply is silently re-sent by
  // Bun's HTTP client on a reused keep-alive socket, so a drop starts the
  // reply and cuts it: the client must see a broken response.
  const dropConnection = (res: ServerResponse) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": "4096" })
    res.write("{")
    res.socket?.destroy()
  }

  const nextFault = (request: string, params: Record<string, any>): Fault | undefined => {
    const i = failNext.findIndex((f) => (!f.match || f.match.test(request)) && (!f.where || f.where(params)))
    if (i >= 0) return failNext.splice(i, 1)[0]!.fault
    if (random && random.next() < random.p) return random.faults[Math.floor(random.next() * random.faults.length)]
    return undefined
  }

  const route = async (method: string, path: string, params: Record<string, any>, query: URLSearchParams): Promise<Reply> => {
    for (const h of handlers) {
      const m = h.method === method ? path.match(h.pattern) : null
      if (m) {
        counters.byRoute[`${method} ${h.pattern.source}`] = (counters.byRoute[`${method} ${h.pattern.source}`] ?? 0) + 1
        return h.run(m, params, query)
      }
    }
    return stripeError(404, "invalid_request_error", undefined, `Unrecognized request URL (${method}: ${path}).`)
  }

  const server = createServer(async (req, res) => {
    counters.requests++
    const url = new URL(req.url ?? "/", "http://fake")
    const body = await readBody(req)
    const auth = req.headers.authorization ?? ""
    if (!/^Bearer (sk|rk)_test_\w+$/.test(auth)) // Worse than real Stripe (which masks most of it): echo the whole key, so the
      // client's redaction is what keeps it out of errors and logs.
      return send(res, stripeError(401, "invalid_request_error", undefined, `Invalid API Key provided: ${auth.replace(/^Bearer /, "")}`))
    const params = req.method === "GET" ? {} : parseForm(body)
    if (latencyMs > 0) await Bun.sleep(latencyMs)
    const fault = nextFault(`${req.method} ${url.pathname}`, params)
    if (fault) counters.faults++
    if (fault === "500") return send(res, stripeError(500, "api_error", undefined, "An unknown error occurred."))
    if (fault === "429") return send(res, { ...stripeError(429, "invalid_request_error", "rate_limit", "Too many requests."), headers: { "retry-after": String(options.retryAfterSeconds ?? 0) } })
    if (fault === "drop") return dropConnection(res)
    if (fault === "stall") {
      await Bun.sleep(options.stallMs ?? 5_000)
      if (res.destroyed || req.socket.destroyed) return
    }
    const customer = typeof params.payload?.stripe_customer_id === "string" ? params.payload.stripe_customer_id : undefined
    if (customer) {
      const n = (customerInFlight.get(customer) ?? 0) + 1
      customerInFlight.set(customer, n)
      counters.maxInFlightPerCustomer = Math.max(counters.maxInFlightPerCustomer, n)
    }
    try {
      const key = req.headers["idempotency-key"]
      const idemKey = typeof key === "string" && req.method === "POST" ? `${url.pathname}:${key}` : undefined
      const fingerprint = body
      const previous = idemKey ? idempotent.get(idemKey) : undefined
      let reply: Reply
      if (previous) {
        counters.idempotentReplays++
        reply = previous.fingerprint === fingerprint
          ? { ...previous.reply, headers: { ...previous.reply.headers, "idempotent-replayed": "true" } }
          : stripeError(400, "idempotency_error", undefined, "Keys for idempotent requests can only be used with the same parameters they were first used with.")
      } else {
        reply = await route(req.method ?? "GET", url.pathname, params, url.searchParams)
        // Stripe saves the result of any request that began executing, errors included, except 5xx/429.
        if (idemKey && reply.status < 500 && reply.status !== 429) idempotent.set(idemKey, { fingerprint, reply })
      }
      // Yield once so concurrent calls for one customer would overlap and be counted.
      await Bun.sleep(0)
      if (fault === "drop_after") return dropConnection(res)
      if (fault === "hang_after") return
      send(res, reply)
    } finally {
      if (customer) customerInFlight.set(customer, (customerInFlight.get(customer) ?? 1) - 1)
    }
  })
  server.keepAliveTimeout = 60_000

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port

  /** Stores a thin event (served at /v2/core/events/:id) and returns what its destination receives, signed. */
  const emitThinEvent = (type: string, data: Record<string, unknown>, related?: RelatedObject) => {
    const event: ThinEvent = { id: id("evt"), object: "v2.core.event", type, created: new Date(now()).toISOString(), livemode: false, context: null, reason: null, ...(related ? { related_object: related } : {}), data }
    thinEvents.set(event.id, event)
    const body = notificationOf(event)
    return {
      event,
      body,
      /** The Stripe-Signature header under the destination's secret, at `timestampS` (default now). */
      signature: (secret: string, timestampS: number = nowS()) => stripeSignature(body, secret, timestampS),
    }
  }

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    /** A secret key the fake accepts. */
    secretKey: "sk_test_fakefakefakefake",
    meterEvents,
    customers,
    products,
    prices,
    meters,
    subscriptions,
    setupIntents,
    invoices,
    /** Stores an invoice of `customer` as Stripe would hold it (a draft unless `seed.status` says otherwise). */
    seedInvoice: (customer: string, seed?: InvoiceSeed) => invoiceOf(customer, seed),
    counters,
    /** The next `count` requests (only those whose "METHOD /path" matches `match` and whose parameters pass `where`, when given) fail with `fault`. */
    failNext: (fault: Fault, count = 1, match?: RegExp, where?: (params: Record<string, any>) => boolean) => {
      failNext = [...failNext, ...Array.from({ length: count }, () => ({ fault, match, where }))]
    },
    /** Sets the time every later request takes before Stripe acts on it, ms. */
    setLatency: (ms: number) => {
      latencyMs = ms
    },
    /** Each request fails with probability `p` (seeded), with a fault drawn from `faults`. */
    failRandomly: (p: number, seed: number, faults: ReadonlyArray<Fault> = ["500", "429", "drop", "drop_after"]) => {
      random = { p, next: seeded(seed), faults }
    },
    emitThinEvent,
    /**
     * The v1.billing.meter.error_report_triggered event for the pending errors
     * (or `errors`), about the active meter; undefined when there are none.
     */
    meterErrorReport: (errors?: ReadonlyArray<AsyncMeterError>) => {
      const list = errors ?? asyncErrors
      if (errors === undefined) asyncErrors = []
      if (list.length === 0) return undefined
      const meter = [...meters.values()].find((m) => m.status === "active")
      const related = meter ? { id: meter.id as string, type: "billing.meter", url: `/v1/billing/meters/${meter.id}` } : undefined
      return emitThinEvent("v1.billing.meter.error_report_triggered", meterErrorData(list, options.meterErrorSamples ?? 10, now()), related)
    },
    heal: () => {
      failNext = []
      random = undefined
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

export type FakeStripe = Awaited<ReturnType<typeof startFakeStripe>>

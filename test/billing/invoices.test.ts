// GET /v1/billing/invoices over the whole app and the fake Stripe: the
// signed-in user's invoices (shapes, micro-USD, newest first, only theirs, at
// most 24 from one Stripe call), the per-user cache, the empty local answer
// without Stripe or a customer, Stripe failures as problems with no secret,
// and the fake's own list endpoint answering as Stripe does.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import { INVOICE_CACHE_TTL_MS, InvoiceCache, microUsdOf, type InvoiceList } from "../../src/modules/billing/invoices"
import type { DatabaseHandle } from "../../src/platform/db/database"
import { bearer, login, register } from "../support/accounts"
import { makeTestApp, readJson, waitForLog, type TestApp } from "../support/app"
import { exec, userRow } from "../support/billing"
import { manualClock } from "../support/clock"
import { dialects } from "../support/db"
import { startFakeStripe, type FakeStripe } from "../support/fake-stripe/server"
import { databaseOf, stripeEnv } from "../support/stripe-app"

const LIST_ROUTE = "GET ^\\/v1\\/invoices$"
const utcSeconds = (y: number, m: number, d = 1) => Date.UTC(y, m - 1, d) / 1000
const iso = (s: number) => new Date(s * 1000).toISOString()

for (const dialect of dialects) {
  describe(`GET /v1/billing/invoices (${dialect})`, () => {
    const clock = manualClock()
    let fake: FakeStripe
    let h: TestApp
    let db: DatabaseHandle
    beforeAll(async () => {
      fake = await startFakeStripe()
      h = await makeTestApp(dialect, await stripeEnv(fake), { clock })
      db = await databaseOf(h)
    })
    afterAll(async () => {
      await h.close()
      await fake.close()
    })

    const listCalls = () => fake.counters.byRoute[LIST_ROUTE] ?? 0
    const session = async () => {
      const a = await register(h)
      return { ...a, token: await login(h, a.email), customerId: (await userRow(db, a.userId)).stripeCustomerId as string | null }
    }
    const invoicesOf = async (token: string) => readJson(await h.request("/v1/billing/invoices", { headers: bearer(token) }))

    test("lists the user's invoices newest first, amounts in micro-USD, periods as ISO times, and no other customer's", async () => {
      const a = await session()
      const other = await session()
      expect(a.customerId).toMatch(/^cus_/)
      // Seeded out of order: the answer's order is Stripe's `created`, newest first.
      const october = fake.seedInvoice(a.customerId!, { status: "paid", amount_due: 1_234, created: utcSeconds(2026, 11, 1), period_start: utcSeconds(2026, 10, 1), period_end: utcSeconds(2026, 11, 1) })
      const november = fake.seedInvoice(a.customerId!, { status: "open", amount_due: 5_000, created: utcSeconds(2026, 12, 1), period_start: utcSeconds(2026, 11, 1), period_end: utcSeconds(2026, 12, 1) })
      const september = fake.seedInvoice(a.customerId!, { status: "paid", amount_due: 99, amount_paid: 99, created: utcSeconds(2026, 10, 1), period_start: utcSeconds(2026, 9, 1), period_end: utcSeconds(2026, 10, 1) })
      const euros = fake.seedInvoice(a.customerId!, { status: "draft", amount_due: 700, currency: "eur", created: utcSeconds(2026, 9, 1), period_start: utcSeconds(2026, 8, 1), period_end: utcSeconds(2026, 9, 1) })
      fake.seedInvoice(other.customerId!, { status: "paid", amount_due: 42, created: utcSeconds(2026, 12, 2) })

      const r = await invoicesOf(a.token)
      const json = (inv: typeof october, micro: { due: number | null; paid: number | null }) => ({
        id: inv.id, number: inv.number, status: inv.status, currency: inv.currency,
        amount_due_micro_usd: micro.due, amount_paid_micro_usd: micro.paid,
        period_start: iso(inv.period_start), period_end: iso(inv.period_end), created: iso(inv.created),
        hosted_invoice_url: inv.hosted_invoice_url,
      })
      expect({ status: r.status, body: r.body }).toEqual({
        status: 200,
        body: {
          stripe: true,
          has_more: false,
          invoices: [
            // 5,000 cents is $50: 50,000,000 micro-USD.
            json(november, { due: 50_000_000, paid: 0 }),
            json(october, { due: 12_340_000, paid: 12_340_000 }),
            json(september, { due: 990_000, paid: 990_000 }),
            // Not USD: no micro-USD figure is made up.
            json(euros, { due: null, paid: null }),
          ],
        },
      })
      expect(r.body.invoices[0]).toMatchObject({ number: expect.stringMatching(/^FAKE-/), hosted_invoice_url: expect.stringMatching(/^https:\/\/invoice\.stripe\.com\//), period_start: "2026-11-01T00:00:00.000Z" })
      expect(r.body.invoices[3]).toMatchObject({ number: null, hosted_invoice_url: null, status: "draft" })
      // The hosted URL opens the invoice without signing in.
      expect(r.headers.get("cache-control")).toBe("no-store")
    })

    test("at most the 24 newest invoices, from one Stripe call; has_more says Stripe holds older ones", async () => {
      const a = await session()
      const seeded = Array.from({ length: 26 }, (_, i) => fake.seedInvoice(a.customerId!, { status: "paid", amount_due: 100 + i, created: utcSeconds(2024, 1) + i * 86_400 }))
      const before = listCalls()
      const r = await invoicesOf(a.token)
      expect(r).toMatchObject({ status: 200, body: { stripe: true, has_more: true } })
      expect(r.body.invoices.map((i: { id: string }) => i.id)).toEqual(seeded.slice(2).reverse().map((i) => i.id))
      expect(listCalls()).toBe(before + 1)
    })

    test("a second read within the TTL asks Stripe nothing; after it, Stripe is asked again; each user has their own entry", async () => {
      const a = await session()
      const b = await session()
      const first = fake.seedInvoice(a.customerId!, { status: "paid", amount_due: 10, created: utcSeconds(2026, 6, 1) })
      const before = listCalls()
      expect(await invoicesOf(a.token)).toMatchObject({ status: 200, body: { invoices: [{ id: first.id }] } })
      expect(listCalls()).toBe(before + 1)

      const second = fake.seedInvoice(a.customerId!, { status: "open", amount_due: 20, created: utcSeconds(2026, 7, 1) })
      clock.advance(INVOICE_CACHE_TTL_MS - 1)
      const cached = await invoicesOf(a.token)
      expect(cached).toMatchObject({ status: 200, body: { invoices: [{ id: first.id }] } })
      expect(cached.body.invoices).toHaveLength(1)
      expect(listCalls()).toBe(before + 1)

      // Another user's read is their own, not a's cached list.
      expect(await invoicesOf(b.token)).toMatchObject({ status: 200, body: { stripe: true, invoices: [] } })
      expect(listCalls()).toBe(before + 2)

      clock.advance(1)
      expect(await invoicesOf(a.token)).toMatchObject({ status: 200, body: { invoices: [{ id: second.id }, { id: first.id }] } })
      expect(listCalls()).toBe(before + 3)
    })

    test("a user without a Stripe customer gets an empty list marked stripe: false, and Stripe is not asked", async () => {
      fake.failNext("500", 1, /^POST \/v1\/customers$/)
      const a = await session()
      expect(a.customerId).toBeNull()
      const before = listCalls()
      expect(await invoicesOf(a.token)).toMatchObject({ status: 200, body: { stripe: false, invoices: [], has_more: false } })
      expect(listCalls()).toBe(before)
    })

    test("without a session: 401", async () => {
      expect(await readJson(await h.request("/v1/billing/invoices"))).toMatchObject({ status: 401, body: { code: "session_required" } })
      expect(await invoicesOf("tks_notasession")).toMatchObject({ status: 401 })
    })

    test("a Stripe outage is 502 billing_provider_error with Retry-After, is not cached, and leaks no key", async () => {
      const a = await session()
      fake.seedInvoice(a.customerId!, { status: "paid", amount_due: 1, created: utcSeconds(2026, 5, 1) })
      for (const fault of ["500", "drop"] as const) {
        fake.failNext(fault, 1, /^GET \/v1\/invoices$/)
        const r = await invoicesOf(a.token)
        expect({ fault, ...r }).toMatchObject({ fault, status: 502, body: { code: "billing_provider_error", detail: "The billing provider did not answer. Retry shortly." } })
        expect(r.headers.get("content-type")).toBe("application/problem+json")
        expect(r.headers.get("retry-after")).toBe("5")
        expect(r.text).not.toContain(fake.secretKey)
      }
      // The failure was not remembered: the next read asks Stripe and answers.
      expect(await invoicesOf(a.token)).toMatchObject({ status: 200, body: { stripe: true, invoices: [{ amount_due_micro_usd: 10_000 }] } })
      await waitForLog(h.logs, (l) => l.includes("request failed") && l.includes("billing_provider_error"))
      expect(h.logs.some((l) => l.includes("Stripe invoices not listed") && l.includes(a.userId) && l.includes("indeterminate"))).toBe(true)
      expect(h.logs.join("\n")).not.toContain(fake.secretKey)
    })

    test("a key Stripe refuses is 502 'refused', and the key is in neither the answer nor the log", async () => {
      // The fake refuses every live key and quotes it whole in its message (worse than Stripe).
      const wrongKey = "sk_live_wrongkeyforinvoices123"
      const other = await makeTestApp(dialect, { STRIPE_SECRET_KEY: wrongKey, STRIPE_API_BASE: fake.url, STRIPE_TIMEOUT_MS: "2000" })
      try {
        const a = await register(other)
        // Registration could not make the customer with this key; give the user one the fake knows.
        const customer = await createCustomer(fake)
        await exec(await databaseOf(other), sql`update users set stripe_customer_id = ${customer} where id = ${a.userId}`)
        const r = await readJson(await other.request("/v1/billing/invoices", { headers: bearer(await login(other, a.email)) }))
        expect(r).toMatchObject({ status: 502, body: { code: "billing_provider_error", detail: "The billing provider refused the request." } })
        expect(r.text).not.toContain("wrongkeyforinvoices")
        await waitForLog(other.logs, (l) => l.includes("request failed") && l.includes("billing_provider_error"))
        expect(other.logs.some((l) => l.includes("Stripe invoices not listed") && l.includes("fatal") && l.includes("401"))).toBe(true)
        expect(other.logs.join("\n")).not.toContain("wrongkeyforinvoices")
      } finally {
        await other.close()
      }
    })
  })

  describe(`GET /v1/billing/invoices with Stripe off (${dialect})`, () => {
    let h: TestApp
    beforeAll(async () => {
      h = await makeTestApp(dialect)
    })
    afterAll(() => h.close())

    test("answers 200 with an empty list marked stripe: false (the ledger is local)", async () => {
      const a = await register(h)
      const r = await readJson(await h.request("/v1/billing/invoices", { headers: bearer(await login(h, a.email)) }))
      expect({ status: r.status, body: r.body }).toEqual({ status: 200, body: { stripe: false, invoices: [], has_more: false } })
    })

    test("a customer kept from when Stripe was on changes nothing: still empty, stripe: false", async () => {
      const a = await register(h)
      await exec(await databaseOf(h), sql`update users set stripe_customer_id = ${"cus_fromearlier"} where id = ${a.userId}`)
      const r = await readJson(await h.request("/v1/billing/invoices", { headers: bearer(await login(h, a.email)) }))
      expect({ status: r.status, body: r.body }).toEqual({ status: 200, body: { stripe: false, invoices: [], has_more: false } })
    })
  })
}

describe("invoice money and cache", () => {
  test("cents become micro-USD exactly; another currency or a non-integer amount has no micro-USD figure", () => {
    expect(microUsdOf("usd", 0)).toBe(0)
    expect(microUsdOf("usd", 1)).toBe(10_000)
    expect(microUsdOf("USD", 123_456_789)).toBe(1_234_567_890_000)
    expect(microUsdOf("eur", 100)).toBeNull()
    expect(microUsdOf("usd", 1.5)).toBeNull()
    expect(microUsdOf("usd", Number.MAX_SAFE_INTEGER)).toBeNull()
  })

  test("the cache holds at most its bound, dropping the least recently read user first, and misses on expiry or a changed customer", () => {
    const list: InvoiceList = { stripe: true, invoices: [], hasMore: false }
    const cache = new InvoiceCache(1_000, 3)
    for (const u of ["u1", "u2", "u3"]) cache.set(u, `cus_${u}`, list, 0)
    expect(cache.get("u1", "cus_u1", 10)).toBe(list)
    cache.set("u4", "cus_u4", list, 10)
    expect(cache.size).toBe(3)
    // u2 was read least recently.
    expect(cache.get("u2", "cus_u2", 10)).toBeUndefined()
    expect(cache.get("u1", "cus_u1", 10)).toBe(list)
    for (let i = 0; i < 1_000; i++) cache.set(`many${i}`, "cus_x", list, 20)
    expect(cache.size).toBe(3)
    cache.set("u5", "cus_u5", list, 20)
    expect(cache.get("u5", "cus_other", 20)).toBeUndefined()
    cache.set("u6", "cus_u6", list, 20)
    expect(cache.get("u6", "cus_u6", 1_019)).toBe(list)
    expect(cache.get("u6", "cus_u6", 1_020)).toBeUndefined()
  })

  test("a full cache makes room from expired entries before it drops a live one", () => {
    const list: InvoiceList = { stripe: true, invoices: [], hasMore: false }
    const cache = new InvoiceCache(100, 2)
    cache.set("a", "cus_a", list, 0)
    cache.set("b", "cus_b", list, 50)
    // a is now the most recently read, but expires first (at 100; b at 150).
    expect(cache.get("a", "cus_a", 60)).toBe(list)
    cache.set("c", "cus_c", list, 120)
    expect(cache.get("b", "cus_b", 120)).toBe(list)
    expect(cache.get("c", "cus_c", 120)).toBe(list)
  })
})

describe("the fake's GET /v1/invoices answers as Stripe does", () => {
  let fake: FakeStripe
  beforeAll(async () => {
    fake = await startFakeStripe()
  })
  afterAll(() => fake.close())

  const get = async (query: string) => {
    const res = await fetch(`${fake.url}/v1/invoices${query}`, { headers: { authorization: `Bearer ${fake.secretKey}` } })
    return { status: res.status, body: (await res.json()) as any }
  }
  const refusal = (code: string, message: string, param: string) => ({
    status: 400,
    body: { error: { type: "invalid_request_error", code, doc_url: `https://stripe.com/docs/error-codes/${code.replace(/_/g, "-")}`, message, param, request_log_url: expect.stringContaining("https://dashboard.stripe.com/test/logs/req_") } },
  })

  test("a list object of the customer's invoices, newest first, 10 by default, has_more when there are more", async () => {
    const customer = await createCustomer(fake)
    const other = await createCustomer(fake)
    const seeded = Array.from({ length: 12 }, (_, i) => fake.seedInvoice(customer, { status: "paid", amount_due: i, created: 1_700_000_000 + i }))
    fake.seedInvoice(other, { status: "paid", created: 1_800_000_000 })
    const r = await get(`?customer=${customer}`)
    expect(r).toMatchObject({ status: 200, body: { object: "list", has_more: true, url: "/v1/invoices" } })
    expect(r.body.data.map((i: { id: string }) => i.id)).toEqual(seeded.slice(2).reverse().map((i) => i.id))
    expect(r.body.data[0]).toMatchObject({ object: "invoice", customer, status: "paid", currency: "usd", amount_due: 11, amount_paid: 11, created: 1_700_000_011 })
    for (const field of ["number", "period_start", "period_end", "hosted_invoice_url"]) expect(r.body.data[0]).toHaveProperty(field)
    expect(await get(`?customer=${customer}&limit=100`)).toMatchObject({ status: 200, body: { has_more: false, data: expect.any(Array) } })
    expect((await get(`?customer=${customer}&limit=12`)).body).toMatchObject({ has_more: false })
    expect((await get(`?customer=${customer}&limit=11`)).body).toMatchObject({ has_more: true })
  })

  test("a bad limit is Stripe's 400 invalid_request_error naming the param; an unknown customer is resource_missing", async () => {
    expect(await get("?limit=0")).toEqual(refusal("parameter_invalid_integer", "This value must be greater than or equal to 1.", "limit"))
    expect(await get("?limit=101")).toEqual(refusal("parameter_invalid_integer", "This value must be less than or equal to 100 (it currently is '101').", "limit"))
    expect(await get("?limit=ten")).toEqual(refusal("parameter_invalid_integer", "Invalid integer: ten", "limit"))
    expect(await get("?limit=")).toEqual(
      refusal("parameter_invalid_empty", "You passed an empty string for 'limit'. We assume empty values are an attempt to unset a parameter; however 'limit' cannot be unset. You should remove 'limit' from your request or supply a non-empty value.", "limit"),
    )
    expect(await get("?customer=cus_nobody")).toEqual(refusal("resource_missing", "No such customer: 'cus_nobody'", "customer"))
  })
})

const createCustomer = async (fake: FakeStripe): Promise<string> => {
  const res = await fetch(`${fake.url}/v1/customers`, { method: "POST", headers: { authorization: `Bearer ${fake.secretKey}`, "content-type": "application/x-www-form-urlencoded" }, body: "email=x%40example.com" })
  return ((await res.json()) as { id: string }).id
}

// What guards the consoles, without a browser: pages need a session (or the
// operator's cookie), forms that act need this site's token, the admin token
// never reaches a page, and every page carries the console's CSP.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { makeTestApp, readJson, type TestApp } from "../support/app"
import { bearer, login, register } from "../support/accounts"

const ADMIN_TOKEN = "console-guards-admin-token-0123456789abcdef"
let h: TestApp
let session: string
let cookie: string
beforeAll(async () => {
  h = await makeTestApp("sqlite", { ADMIN_TOKEN })
  const a = await register(h)
  session = await login(h, a.email)
  cookie = `tdk_session=${session}`
})
afterAll(() => h.close())

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  h.request(path, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body: form(fields) })
const keyCount = async () => (await readJson(await h.request("/v1/keys", { headers: bearer(session) }))).body.keys.length as number

describe("console guards", () => {
  test("without a session a page sends to the sign-in page; with one it renders with the console's CSP and no inline script", async () => {
    const anonymous = await h.request("/console/keys")
    expect({ status: anonymous.status, location: anonymous.headers.get("location") }).toEqual({ status: 303, location: "/console/login" })
    const page = await h.request("/console/keys", { headers: { cookie } })
    expect(page.status).toBe(200)
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'")
    expect(page.headers.get("cache-control")).toBe("no-store")
    const text = await page.text()
    expect(text).not.toMatch(/<script(?![^>]*\bsrc=)/)
    expect(text).not.toContain(session)
  })

  test("a form without the session's token, with another's, or from another origin is 403 and creates nothing", async () => {
    const before = await keyCount()
    const { csrfForSession } = await import("../../src/modules/console/csrf")
    const good = csrfForSession(session)
    expect((await post("/console/keys", { name: "x" }, { cookie })).status).toBe(403)
    expect((await post("/console/keys", { name: "x", csrf: csrfForSession("tks_other") }, { cookie })).status).toBe(403)
    expect((await post("/console/keys", { name: "x", csrf: good }, { cookie, origin: "https://evil.example", host: "localhost" })).status).toBe(403)
    expect(await keyCount()).toBe(before)
    const created = await post("/console/keys", { name: "from the console", csrf: good }, { cookie })
    expect(created.status).toBe(200)
    expect(await created.text()).toMatch(/tk_live_/)
    expect(await keyCount()).toBe(before + 1)
  })

  test("sign-in needs the pre-session cookie's twin in the form", async () => {
    const shown = await h.request("/console/login")
    const set = shown.headers.get("set-cookie") ?? ""
    const token = /tdk_csrf=([^;]+)/.exec(set)?.[1]
    expect(token).toBeDefined()
    expect(set).toContain("SameSite=Strict")
    expect((await post("/console/login", { email: "a@example.com", password: "x" })).status).toBe(403)
    expect((await post("/console/login", { email: "a@example.com", password: "x", csrf: token! }, { cookie: "tdk_csrf=somethingelse00000000000000000000" })).status).toBe(403)
    const wrong = await post("/console/login", { email: "nobody@example.com", password: "wrong password here", csrf: token! }, { cookie: `tdk_csrf=${token}` })
    expect(wrong.status).toBe(401)
  })

  test("the operator console needs its cookie; a forged one is refused; the admin token never appears in a page or cookie", async () => {
    expect((await h.request("/console/admin")).headers.get("location")).toBe("/console/admin/login")
    expect((await h.request("/console/admin", { headers: { cookie: "tdk_console_admin=9999999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" } })).headers.get("location")).toBe("/console/admin/login")
    const shown = await h.request("/console/admin/login")
    const token = /tdk_csrf=([^;]+)/.exec(shown.headers.get("set-cookie") ?? "")![1]!
    const refused = await post("/console/admin/login", { token: "not the token", csrf: token }, { cookie: `tdk_csrf=${token}` })
    expect(refused.status).toBe(401)
    const signedIn = await post("/console/admin/login", { token: ADMIN_TOKEN, csrf: token }, { cookie: `tdk_csrf=${token}` })
    expect(signedIn.status).toBe(303)
    const adminCookie = /tdk_console_admin=[^;]+/.exec(signedIn.headers.get("set-cookie") ?? "")![0]
    expect(signedIn.headers.get("set-cookie")).not.toContain(ADMIN_TOKEN)
    for (const path of ["/console/admin", "/console/admin/money", "/console/admin/keys"]) {
      const page = await h.request(path, { headers: { cookie: adminCookie } })
      expect(page.status).toBe(200)
      expect(await page.text()).not.toContain(ADMIN_TOKEN)
    }
    expect(h.logs.join("\n")).not.toContain(ADMIN_TOKEN)
  })
})

describe("console billing page and Stripe.js", () => {
  test("Stripe.js is loaded from Stripe only on the billing page, only with a publishable key and Stripe on, and the card form gets a SetupIntent through the console", async () => {
    const { startFakeStripe } = await import("../support/fake-stripe/server")
    const { stripeEnv } = await import("../support/stripe-app")
    const { csrfForSession } = await import("../../src/modules/console/csrf")
    const fake = await startFakeStripe()
    const env = await stripeEnv(fake)
    const withKey = await makeTestApp("sqlite", { ...env, STRIPE_PUBLISHABLE_KEY: "pk_test_consoleGuards123" })
    try {
      const a = await register(withKey)
      const s = await login(withKey, a.email)
      const billing = await withKey.request("/console/billing", { headers: { cookie: `tdk_session=${s}` } })
      const text = await billing.text()
      expect(text).toContain('<script src="https://js.stripe.com/v3/"></script>')
      expect(text).toContain('data-publishable-key="pk_test_consoleGuards123"')
      expect(billing.headers.get("content-security-policy")).toContain("script-src 'self' https://js.stripe.com")
      expect(billing.headers.get("content-security-policy")).toContain("frame-src https://js.stripe.com")
      // Every other page stays without it.
      const keys = await withKey.request("/console/keys", { headers: { cookie: `tdk_session=${s}` } })
      expect(await keys.text()).not.toContain("js.stripe.com")
      expect(keys.headers.get("content-security-policy")).not.toContain("stripe")

      const setup = await withKey.request("/console/billing/card", { method: "POST", headers: { cookie: `tdk_session=${s}`, "content-type": "application/x-www-form-urlencoded" }, body: `csrf=${csrfForSession(s)}` })
      expect(setup.status).toBe(200)
      expect((await setup.json()).client_secret).toMatch(/^seti_.+_secret_/)
      expect((await withKey.request("/console/billing/card", { method: "POST", headers: { cookie: `tdk_session=${s}`, "content-type": "application/x-www-form-urlencoded" }, body: "csrf=wrong" })).status).toBe(403)
      // Signed out, the card script gets JSON it can read, not the sign-in page.
      const signedOut = await withKey.request("/console/billing/card", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "csrf=x" })
      expect(signedOut.status).toBe(401)
      expect(await signedOut.json()).toEqual({ error: "Your session has ended: sign in again." })
    } finally {
      await withKey.close()
      await fake.close()
    }
    // Without Stripe the page has no card form and no Stripe.js, publishable key or not.
    const noStripe = await makeTestApp("sqlite", { STRIPE_PUBLISHABLE_KEY: "pk_test_consoleGuards123" })
    try {
      const a = await register(noStripe)
      const s = await login(noStripe, a.email)
      const text = await (await noStripe.request("/console/billing", { headers: { cookie: `tdk_session=${s}` } })).text()
      expect(text).not.toContain("js.stripe.com")
      expect(text).not.toContain("card-form")
    } finally {
      await noStripe.close()
    }
  })
})

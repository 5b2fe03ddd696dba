// The console's pure parts: escaping, form tokens, the operator's cookie, the chart.
import { describe, expect, test } from "bun:test"
import { adminCookieValue, adminSessionValid } from "../../src/modules/console/admin-session"
import { dailyChart } from "../../src/modules/console/chart"
import { csrfForSession, sameOrigin } from "../../src/modules/console/csrf"
import { tokenMatches } from "../../src/modules/admin/guard"
import { viaHttps } from "../../src/platform/http/request-url"
import { publicOrigin } from "../../src/modules/console/routes/respond"
import { html, trusted } from "../../src/modules/console/html"
import { shellQuote } from "../../src/modules/console/pages/agents"
import { billingPage } from "../../src/modules/console/pages/billing"

describe("console html", () => {
  test("interpolated text is escaped, fragments and trusted markup are not, lists are joined, null and false vanish", () => {
    const name = `<script>alert("x")</script>&'`
    expect(html`<p>${name}</p>`.text).toBe("<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p>")
    expect(html`<ul>${["a", "<b>"].map((s) => html`<li>${s}</li>`)}</ul>`.text).toBe("<ul><li>a</li><li>&lt;b&gt;</li></ul>")
    expect(html`${null}${undefined}${false}${0}${trusted("<svg/>")}`.text).toBe("0<svg/>")
  })
})

describe("console form tokens", () => {
  test("a session's token is stable for it, differs between sessions, and only an equal token passes", () => {
    const a = csrfForSession("tks_a")
    expect(csrfForSession("tks_a")).toBe(a)
    expect(csrfForSession("tks_b")).not.toBe(a)
    expect(tokenMatches(a, a)).toBe(true)
    expect(tokenMatches(a, `${a.slice(0, -1)}x`)).toBe(false)
    expect(tokenMatches(undefined, a)).toBe(false)
    expect(tokenMatches("", a)).toBe(false)
    // An empty cookie and an empty form field must not pass as a matching pair.
    expect(tokenMatches("", "")).toBe(false)
  })

  test("a cookie is Secure over https, or behind a trusted proxy that says https; a client's own X-Forwarded-Proto is not believed", () => {
    const at = (url: string, proto?: string) => new Request(url, proto ? { headers: { "x-forwarded-proto": proto } } : {})
    expect(viaHttps(at("https://gw.example/console"), 0)).toBe(true)
    expect(viaHttps(at("http://gw.example/console", "https"), 0)).toBe(false)
    expect(viaHttps(at("http://gw.example/console", "https"), 1)).toBe(true)
    expect(viaHttps(at("http://gw.example/console", "https, http"), 1)).toBe(false)
    // Two proxies that append (a CDN the client reached over https, then a load balancer it reached over http).
    expect(viaHttps(at("http://gw.example/console", "https, http"), 2)).toBe(true)
    expect(viaHttps(at("http://gw.example/console", "https, http, http"), 2)).toBe(false)
  })

  test("the origin a snippet shows: behind a trusted proxy its forwarded host and scheme; a client's own entries, an untrusted header or a host that is not one are not shown", () => {
    const at = (headers: Record<string, string>) => new Request("http://10.0.0.5:3000/console/agents/x", { headers: { host: "10.0.0.5:3000", ...headers } })
    expect(publicOrigin(at({ "x-forwarded-host": "gw.example", "x-forwarded-proto": "https" }), 1)).toBe("https://gw.example")
    expect(publicOrigin(at({ "x-forwarded-host": "gw.example", "x-forwarded-proto": "https" }), 0)).toBe("http://10.0.0.5:3000")
    // No X-Forwarded-Proto: the scheme the request itself came by, as for cookies.
    expect(publicOrigin(at({ "x-forwarded-host": "gw.example:8443" }), 1)).toBe("http://gw.example:8443")
    expect(publicOrigin(at({ "x-forwarded-host": "evil.example, gw.example", "x-forwarded-proto": "http, https" }), 1)).toBe("https://gw.example")
    expect(publicOrigin(at({ "x-forwarded-host": "gw.example, lb.internal", "x-forwarded-proto": "https, http" }), 2)).toBe("https://gw.example")
    expect(publicOrigin(at({ "x-forwarded-host": "[2001:db8::1]:443", "x-forwarded-proto": "https" }), 1)).toBe("https://[2001:db8::1]:443")
    expect(publicOrigin(at({ "x-forwarded-host": "gw.example/<script>", "x-forwarded-proto": "https" }), 1)).toBe("https://10.0.0.5:3000")
    expect(publicOrigin(at({ "x-forwarded-host": "a@gw.example", "x-forwarded-proto": "https" }), 1)).toBe("https://10.0.0.5:3000")
    // A proxy that passes Host through and says https: the request's host, over https.
    const passedThrough = new Request("http://gw.example/console/agents/x", { headers: { host: "gw.example", "x-forwarded-proto": "https" } })
    expect(publicOrigin(passedThrough, 1)).toBe("https://gw.example")
    expect(publicOrigin(passedThrough, 0)).toBe("http://gw.example")
  })

  test("a browser's Origin must be this host; none (an older browser) passes; Sec-Fetch-Site decides when sent", () => {
    const req = (headers: Record<string, string>) => new Request("http://gw.example/console/keys", { method: "POST", headers: { host: "gw.example", ...headers } })
    expect(sameOrigin(req({ origin: "http://gw.example" }))).toBe(true)
    expect(sameOrigin(req({}))).toBe(true)
    expect(sameOrigin(req({ origin: "https://evil.example" }))).toBe(false)
    expect(sameOrigin(req({ origin: "null" }))).toBe(false)
    expect(sameOrigin(req({ "sec-fetch-site": "same-origin", origin: "https://public.example" }))).toBe(true)
    expect(sameOrigin(req({ "sec-fetch-site": "cross-site", origin: "http://gw.example" }))).toBe(false)
    expect(sameOrigin(req({ "sec-fetch-site": "same-site" }))).toBe(false)
  })

  test("behind a trusted proxy that rewrites Host, the forwarded host is the one the browser saw; untrusted, it is ignored", () => {
    const req = new Request("http://10.0.0.5:3000/console/keys", { method: "POST", headers: { host: "10.0.0.5:3000", origin: "https://gw.example", "x-forwarded-host": "gw.example" } })
    expect(sameOrigin(req, 1)).toBe(true)
    expect(sameOrigin(req, 0)).toBe(false)
    // A host the client put left of the proxy's entry is not the one compared.
    const forged = new Request("http://10.0.0.5:3000/console/keys", { method: "POST", headers: { host: "10.0.0.5:3000", origin: "https://evil.example", "x-forwarded-host": "evil.example, gw.example" } })
    expect(sameOrigin(forged, 1)).toBe(false)
  })
})

describe("operator console cookie", () => {
  test("valid until its expiry under the token that signed it; a changed expiry, token or signature is refused", () => {
    const now = 1_000_000
    const value = adminCookieValue("admin-token-0123456789", now + 60_000)
    expect(adminSessionValid("admin-token-0123456789", value, now)).toBe(true)
    expect(adminSessionValid("admin-token-0123456789", value, now + 60_000)).toBe(false)
    expect(adminSessionValid("another-admin-token-0123", value, now)).toBe(false)
    expect(adminSessionValid("admin-token-0123456789", value.replace(/^\d+/, String(now + 999_999)), now)).toBe(false)
    expect(adminSessionValid("admin-token-0123456789", undefined, now)).toBe(false)
    expect(value).not.toContain("admin-token")
  })
})

describe("usage chart", () => {
  test("one bar segment per day and agent with its figures in a title, days without calls empty, labels escaped", () => {
    const svg = dailyChart(
      [
        { day: "2026-11-02", agent: "A <1>", calls: 3, spendMicroUsd: 45_000 },
        { day: "2026-11-02", agent: "B", calls: 1, spendMicroUsd: 15_000 },
        { day: "2026-11-04", agent: "B", calls: 2, spendMicroUsd: 30_000 },
      ],
      "2026-11-01",
      "2026-11-05",
    )
    expect(svg.match(/<rect class="point"/g)?.length).toBe(3)
    expect(svg).toContain("<title>2026-11-02 · A &lt;1&gt;: 3 calls, $0.045</title>")
    expect(svg).toContain('aria-label="Settled calls per day from 2026-11-01 to 2026-11-05: 6 in all"')
    expect(svg).not.toContain("<1>")
  })
})


describe("console snippets and third-party data", () => {
  test("a shell-quoted word is read back by sh exactly, quotes and all, with nothing run", () => {
    const nasty = `{"text":"'; touch /tmp/tdk-pwned-$$; echo '"} $(id) \`id\` \\ "double"`
    const r = Bun.spawnSync(["sh", "-c", `printf %s ${shellQuote(nasty)}`])
    expect(r.stdout.toString()).toBe(nasty)
  })

  test("an invoice in another currency shows no dollar amount, and a hosted link that is not https is not a link", () => {
    const account = { tier: "paid", stripe_enabled: true, card: { verified: true, verified_at: null }, current_period: { period: "2026-11", ops: 0, total_usd: "0", billable_usd: "0" }, periods: [] }
    const page = billingPage(account, [
      { number: "A-1", period_start: null, period_end: null, amount_due_micro_usd: null, currency: "eur", status: "open", hosted_invoice_url: "javascript:alert(1)" },
      { number: "A-2", period_start: null, period_end: null, amount_due_micro_usd: 1_250_000, currency: "usd", status: "paid", hosted_invoice_url: "https://invoice.stripe.com/i/x" },
    ], "csrf").text
    expect(page).toContain("in EUR, see Stripe")
    expect(page).not.toContain("javascript:")
    expect(page).toContain('href="https://invoice.stripe.com/i/x"')
    expect(page).toContain("$1.25")
    // Invoices that could not be read are not shown as none.
    expect(billingPage(account, undefined, "csrf").text).toContain("Invoices cannot be read right now")
    expect(billingPage(account, undefined, "csrf").text).not.toContain("No invoices.")
    expect(billingPage(account, [], "csrf").text).toContain("No invoices.")
  })
})

// Both consoles in a real browser (Debian's chromium through playwright-core)
// with every non-loopback request blocked, against a gateway on a loopback
// port over the sandbox: a developer signs up, sees the key once, calls an
// agent with it, finds the call on the usage page, rolls and revokes; an
// operator reads the pool, downloads the refill report, suspends a key
// (the developer's next call is 403) and reinstates it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import type { Browser } from "playwright-core"
import { launchBrowser, watchedPage } from "../support/browser"
import { makeGatewayApp, type GatewayApp } from "../support/gateway"
import { uniqueEmail, PASSWORD } from "../support/accounts"
import { formatUsd } from "../../src/modules/gateway/money"

const ADMIN_TOKEN = "console-browser-admin-token-0123456789abcdef"
let g: GatewayApp
let browser: Browser
beforeAll(async () => {
  g = await makeGatewayApp("sqlite", { ADMIN_TOKEN })
  await g.seedPool(2)
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await g?.close()
})

const callAgent = (key: string) =>
  fetch(`${g.baseUrl}/v1/agents/title-generator`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify({ text: "Paid agents with one API key" }) })

const keyStatus = async (key: string) => (await fetch(`${g.baseUrl}/v1/key`, { headers: { authorization: `Bearer ${key}` } })).status

describe("developer console", () => {
  test("sign up → the key is shown once → a call with it shows on the usage page with its cost and a chart point → roll → revoke; the old keys get 401", async () => {
    const w = await watchedPage(browser)
    const { page } = w
    await page.goto(`${g.baseUrl}/console`)
    expect(new URL(page.url()).pathname).toBe("/console/login")
    await page.getByRole("link", { name: "Create one" }).click()
    const email = uniqueEmail()
    await page.getByLabel("E-mail").fill(email)
    await page.getByLabel(/^Password/).fill(PASSWORD)
    await page.getByRole("button", { name: "Create account" }).click()
    await page.waitForLoadState("load")
    const first = (await page.getByTestId("new-secret").innerText()).trim()
    expect(first).toMatch(/^tk_live_/)
    await w.screenshot("console-signed-up")
    // Shown once: the keys page never shows it again.
    await page.goto(`${g.baseUrl}/console/keys`)
    expect(await page.getByTestId("new-secret").count()).toBe(0)
    expect(await page.content()).not.toContain(first)

    const call = await callAgent(first)
    expect(call.status).toBe(200)
    const paid = (await call.json()) as { usage: { cost_usd: string }; receipt: { receipt_id: string } }

    await page.getByRole("link", { name: "Usage" }).click()
    const rows = page.getByTestId("recent-calls").locator("tbody tr")
    expect(await rows.count()).toBe(1)
    const row = await rows.first().innerText()
    expect(row).toContain("settled")
    expect(row).toContain(`$${paid.usage.cost_usd}`)
    expect(row).toContain(paid.receipt.receipt_id)
    expect(await page.locator("svg.chart rect.point").count()).toBe(1)
    expect(await page.getByTestId("month-calls").innerText()).toBe("1")
    await w.screenshot("console-usage")

    // An agent's page: its snippets name this server's own origin (publicOrigin), ready to paste.
    await page.goto(`${g.baseUrl}/console/agents/title-generator`)
    expect(await page.locator("#snippet-curl").innerText()).toContain(`curl -s '${g.baseUrl}/v1/agents/`)
    expect(await page.locator("#snippet-ts").innerText()).toContain(`fetch("${g.baseUrl}/v1/agents/`)
    await w.screenshot("console-agent")

    await page.getByRole("link", { name: "Keys" }).click()
    await page.getByRole("button", { name: "Roll" }).first().click()
    const rolled = (await page.getByTestId("new-secret").innerText()).trim()
    expect(rolled).not.toBe(first)
    expect(await keyStatus(first)).toBe(401)
    expect(await keyStatus(rolled)).toBe(200)
    await w.screenshot("console-keys")

    await page.getByRole("link", { name: "Revoke…" }).first().click()
    await page.getByRole("button", { name: "Revoke key" }).click()
    expect(await page.getByRole("status").innerText()).toContain("revoked")
    expect(await keyStatus(rolled)).toBe(401)

    await page.getByRole("link", { name: "Agents" }).click()
    await page.getByRole("link", { name: /title/i }).first().click()
    expect(await page.getByTestId("agent-price").innerText()).toBe(`$${paid.usage.cost_usd}`)
    await page.getByRole("link", { name: "Billing" }).click()
    expect(await page.getByTestId("tier").innerText()).toBe("free")

    expect(w.problems).toEqual([])
    await w.context.close()
  }, 90_000)
})

describe("console on a phone", () => {
  test("at 390×844 no page scrolls sideways (wide tables scroll inside their box) and every form control has a label", async () => {
    const w = await watchedPage(browser, { viewport: { width: 390, height: 844 } })
    const { page } = w
    await page.goto(`${g.baseUrl}/console/signup`)
    await page.getByLabel("E-mail").fill(uniqueEmail())
    await page.getByLabel(/^Password/).fill(PASSWORD)
    await page.getByRole("button", { name: "Create account" }).click()
    await page.waitForLoadState("load")
    for (const path of ["/console/keys", "/console/usage", "/console/agents", "/console/billing"]) {
      await page.goto(`${g.baseUrl}${path}`)
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
      expect({ path, overflow }).toEqual({ path, overflow: 0 })
      const unlabelled = await page.evaluate(() =>
        Array.from(document.querySelectorAll("input:not([type=hidden]), select, textarea")).filter((el) => !(el as HTMLInputElement).labels?.length && !el.getAttribute("aria-label")).length,
      )
      expect({ path, unlabelled }).toEqual({ path, unlabelled: 0 })
    }
    await page.goto(`${g.baseUrl}/console/keys`)
    await w.screenshot("console-phone-keys")
    expect(w.problems).toEqual([])
    await w.context.close()
  }, 60_000)
})

describe("operator console", () => {
  test("sign in with the admin token → pool table and totals → refill CSV → suspend a key (its next call is 403) → reinstate", async () => {
    // A developer with a key, made through the API.
    const email = uniqueEmail()
    const registered = (await (await fetch(`${g.baseUrl}/v1/auth/register`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password: PASSWORD }) })).json()) as { api_key: { key: string } }
    const key = registered.api_key.key
    expect((await callAgent(key)).status).toBe(200)

    const w = await watchedPage(browser)
    const { page } = w
    await page.goto(`${g.baseUrl}/console/admin`)
    expect(new URL(page.url()).pathname).toBe("/console/admin/login")
    await page.getByLabel("Admin token").fill(ADMIN_TOKEN)
    await page.getByRole("button", { name: "Sign in" }).click()
    const wallets = await (await fetch(`${g.baseUrl}/admin/pool?limit=500`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json() as { wallets: Array<{ id: string }> }
    expect(await page.getByTestId("pool").locator("tbody tr").count()).toBe(wallets.wallets.length)
    expect(await page.getByTestId("pool-wallets").innerText()).toBe(String(wallets.wallets.length))

    const download = page.waitForEvent("download")
    await page.getByTestId("refill-csv").click()
    const csv = readFileSync((await (await download).path())!, "utf8").trim().split("\n")
    expect(csv.length).toBeGreaterThanOrEqual(2)
    expect(csv[0]).toContain("public_key")

    await page.getByRole("button", { name: "Check balances now" }).click()
    expect(await page.getByRole("status").innerText()).toContain("checked")
    // The check read what the faucet gave less what the calls paid: the total is the wallets' sum.
    const checked = (await (await fetch(`${g.baseUrl}/admin/pool?limit=500`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as { wallets: Array<{ usdc_balance: number }> }
    const total = checked.wallets.reduce((n, w) => n + w.usdc_balance, 0)
    expect(total).toBeGreaterThan(0)
    expect(await page.getByTestId("pool-usdc").innerText()).toBe(`$${formatUsd(total)}`)
    await w.screenshot("console-admin")

    await page.getByRole("link", { name: "Users and keys" }).click()
    await page.getByRole("searchbox").fill(email)
    await page.getByRole("button", { name: "Search" }).click()
    const keyRows = page.getByTestId("admin-keys").locator("tbody tr")
    expect(await keyRows.count()).toBe(1)
    await keyRows.first().getByLabel("Reason").fill("abuse report 42")
    await keyRows.first().getByRole("button", { name: "Suspend" }).click()
    expect(await page.getByRole("status").innerText()).toContain("updated")
    const refused = await callAgent(key)
    expect(refused.status).toBe(403)
    expect(await refused.text()).toContain("abuse report 42")

    await page.getByRole("searchbox").fill(email)
    await page.getByRole("button", { name: "Search" }).click()
    await page.getByTestId("admin-keys").locator("tbody tr").first().getByRole("button", { name: "Reinstate" }).click()
    expect((await callAgent(key)).status).toBe(200)

    // A limit of the key's own: a quota of 2 calls this month, which the key has used.
    await page.getByRole("searchbox").fill(email)
    await page.getByRole("button", { name: "Search" }).click()
    const row = page.getByTestId("admin-keys").locator("tbody tr").first()
    await row.getByText("Limits…").click()
    await row.getByLabel("Monthly quota (calls)").fill("2")
    await row.getByRole("button", { name: "Save limits" }).click()
    expect(await page.getByRole("status").innerText()).toContain("updated")
    const overQuota = await callAgent(key)
    expect(overQuota.status).toBe(402)

    await page.getByRole("link", { name: "Money" }).click()
    expect(await page.getByTestId("reconciliation").count()).toBe(1)

    expect(w.problems).toEqual([])
    await w.context.close()
  }, 90_000)
})

// /docs in a real browser with every non-loopback request blocked: the
// reference renders every operation from the bundled code, and "try it" with
// an API key sends a real request that answers 200.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import type { Browser } from "playwright-core"
import { launchBrowser, watchedPage } from "../support/browser"
import { makeTestApp, readJson, type TestApp } from "../support/app"
import { register } from "../support/accounts"
import { serve, type Served } from "../support/served"

let h: TestApp
let served: Served
let browser: Browser
beforeAll(async () => {
  h = await makeTestApp("sqlite", { ADMIN_TOKEN: "docs-browser-admin-token-0123456789abcdef" })
  served = serve(h)
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  served?.stop()
  await h?.close()
})

describe("/docs in a browser, offline", () => {
  test("renders every documented operation, health last, and 'try it' on GET /v1/key with an API key answers 200", async () => {
    const spec = (await readJson(await h.request("/docs/json"))).body
    const operations = Object.values<Record<string, unknown>>(spec.paths).reduce((n, ops) => n + Object.keys(ops).length, 0)
    const { key } = await register(h)

    const w = await watchedPage(browser)
    await w.page.goto(`http://127.0.0.1:${served.port}/docs`)
    await w.page.locator(".opblock").first().waitFor()
    expect(await w.page.locator(".opblock").count()).toBe(operations)
    const tags = await w.page.locator(".opblock-tag-section h3").allInnerTexts()
    expect(tags.at(-1)?.toLowerCase()).toStartWith("health")

    await w.page.getByRole("button", { name: /authorize/i }).first().click()
    const apiKeyForm = w.page.locator(".auth-container").filter({ hasText: "apiKey (http, Bearer)" })
    await apiKeyForm.locator("input").fill(key)
    await apiKeyForm.getByRole("button", { name: "Apply credentials" }).click()
    await apiKeyForm.getByRole("button", { name: "Close" }).click()

    const op = w.page.locator("#operations-keys-currentKey")
    await op.locator(".opblock-summary").click()
    await op.getByRole("button", { name: /try it out/i }).click()
    const answered = w.page.waitForResponse((r) => r.url().endsWith("/v1/key"))
    await op.getByRole("button", { name: /execute/i }).click()
    expect((await answered).status()).toBe(200)
    expect((await op.locator(".live-responses-table tbody .response-col_status").first().innerText()).trim()).toBe("200")
    await w.screenshot("docs")
    expect(w.problems).toEqual([])
    await w.context.close()
  }, 60_000)
})

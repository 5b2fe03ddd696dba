// A real browser for page tests: playwright-core driving Debian's chromium
// (Playwright cannot download its own browsers here). Every request to a host
// other than loopback is blocked and recorded, and so are console errors,
// page errors and failed requests, so a test can require a clean page.
import { existsSync, mkdirSync } from "node:fs"
import { join } from "node:path"
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core"
import { ensurePackage } from "../../scripts/services"

const CHROMIUM = "/usr/bin/chromium"

/** Screenshots and traces of page tests; not committed (.gitignore). */
export const OUTPUT_DIR = join(import.meta.dir, "..", "output")

export const launchBrowser = async (): Promise<Browser> => {
  ensurePackage("chromium", () => existsSync(CHROMIUM))
  // The flags keep chromium from reaching Google's services at start.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  })
}

export type Watched = {
  readonly page: Page
  readonly context: BrowserContext
  /** Console errors, page errors, failed and blocked requests, in order. */
  readonly problems: Array<string>
  readonly screenshot: (name: string) => Promise<string>
}

const isLoopback = (url: string) => {
  const { protocol, hostname } = new URL(url)
  if (protocol === "data:" || protocol === "blob:" || protocol === "about:") return true
  return hostname === "127.0.0.1" || hostname === "localhost" || hostname === "[::1]"
}

export const watchedPage = async (browser: Browser, options: { viewport?: { width: number; height: number } } = {}): Promise<Watched> => {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 } })
  const problems: Array<string> = []
  await context.route("**/*", (route) => {
    const url = route.request().url()
    if (isLoopback(url)) return route.continue()
    problems.push(`blocked request to ${url}`)
    return route.abort("blockedbyclient")
  })
  const page = await context.newPage()
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`)
  })
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`))
  page.on("requestfailed", (r) => {
    if (!r.failure()?.errorText.includes("ERR_BLOCKED_BY_CLIENT")) problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`)
  })
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} from ${r.request().method()} ${r.url()}`)
  })
  return {
    page,
    context,
    problems,
    screenshot: async (name) => {
      mkdirSync(OUTPUT_DIR, { recursive: true })
      const path = join(OUTPUT_DIR, `${name}.png`)
      await page.screenshot({ path, fullPage: false })
      return path
    },
  }
}

// The compiled single binary (dist/tdk, built by scripts/test.ts before the
// suite): it migrates an empty SQLite file, serves, and exits cleanly on SIGTERM.
import { Database } from "bun:sqlite"
import { afterAll, describe, expect, test } from "bun:test"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort } from "../../scripts/services"
import { launchBrowser, watchedPage } from "../support/browser"

const binary = join(import.meta.dir, "../../dist/tdk")
const required = process.env.TDK_TEST_SERVICES === "1"
if (!existsSync(binary) && !required) console.warn("dist/tdk missing: binary tests skipped (run `bun run build` or `bun run test`)")

const dir = mkdtempSync(join(tmpdir(), "tdk-bin-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const waitFor = async (url: string, ms = 15_000): Promise<Response> => {
  const deadline = Date.now() + ms
  for (;;) {
    try {
      return await fetch(url)
    } catch (e) {
      if (Date.now() > deadline) throw e
      await Bun.sleep(50)
    }
  }
}

describe.skipIf(!existsSync(binary) && !required)("single binary", () => {
  test("serves /healthz on an empty SQLite file it migrated itself, then exits 0 on SIGTERM", async () => {
    const port = freePort()
    const file = join(dir, "fresh.db")
    const proc = Bun.spawn([binary, "serve"], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", DATABASE_URL: `sqlite:${file}`, PORT: String(port), HOST: "127.0.0.1" },
      stdout: "pipe",
      stderr: "pipe",
    })
    try {
      const health = await waitFor(`http://127.0.0.1:${port}/healthz`)
      expect(await health.json()).toEqual({ status: "ok" })
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`)
      expect({ status: ready.status, body: await ready.json() }).toMatchObject({ status: 200, body: { status: "ready", database: "sqlite" } })
    } finally {
      proc.kill("SIGTERM")
    }
    expect(await proc.exited).toBe(0)
    const out = await new Response(proc.stdout).text()
    expect(out).toContain('"msg":"shutting down"')
    const db = new Database(file, { readonly: true })
    expect((db.query("select count(*) as n from __drizzle_migrations").get() as { n: number }).n).toBeGreaterThan(0)
    db.close()
  })

  test("serves the API reference and the consoles from its own files: /docs, /console and /console/admin render in a browser with every other host blocked", async () => {
    const port = freePort()
    const proc = Bun.spawn([binary, "serve"], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", DATABASE_URL: `sqlite:${join(dir, "docs.db")}`, PORT: String(port), HOST: "127.0.0.1", ADMIN_TOKEN: "binary-console-admin-token-0123456789" },
      stdout: "ignore",
      stderr: "ignore",
    })
    const browser = await launchBrowser()
    try {
      await waitFor(`http://127.0.0.1:${port}/healthz`)
      const html = await (await fetch(`http://127.0.0.1:${port}/docs`)).text()
      const bundle = /src="([^"]*swagger-ui-bundle\.js)"/.exec(html)?.[1]
      const served = await fetch(`http://127.0.0.1:${port}${bundle}`, { headers: { "accept-encoding": "identity" } })
      expect(served.status).toBe(200)
      expect((await served.arrayBuffer()).byteLength).toBe(Bun.file(join(import.meta.dir, "../../node_modules/swagger-ui-dist/swagger-ui-bundle.js")).size)
      const w = await watchedPage(browser)
      await w.page.goto(`http://127.0.0.1:${port}/docs`)
      await w.page.locator(".opblock").first().waitFor()
      expect(await w.page.locator(".opblock").count()).toBeGreaterThan(30)
      await w.page.goto(`http://127.0.0.1:${port}/console`)
      expect(new URL(w.page.url()).pathname).toBe("/console/login")
      expect(await w.page.locator("link[rel=stylesheet]").evaluate((l) => (l as HTMLLinkElement).sheet !== null)).toBe(true)
      await w.page.goto(`http://127.0.0.1:${port}/console/admin`)
      await w.page.getByLabel("Admin token").fill("binary-console-admin-token-0123456789")
      await w.page.getByRole("button", { name: "Sign in" }).click()
      await w.page.getByRole("heading", { name: "Wallet pool" }).waitFor()
      expect(w.problems).toEqual([])
    } finally {
      await browser.close()
      proc.kill("SIGTERM")
      await proc.exited
    }
  }, 60_000)

  test("finishes an in-flight request before exiting on SIGTERM", async () => {
    const port = freePort()
    const proc = Bun.spawn([binary, "serve"], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", DATABASE_URL: `sqlite:${join(dir, "grace.db")}`, DATA_DIR: join(dir, "grace"), PORT: String(port), HOST: "127.0.0.1" },
      stdout: "ignore",
      stderr: "ignore",
    })
    await waitFor(`http://127.0.0.1:${port}/healthz`)
    // A slow upload keeps a registration in flight across the signal.
    let push!: (chunk: Uint8Array | null) => void
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        push = (chunk) => (chunk ? c.enqueue(chunk) : c.close())
      },
    })
    const pending = fetch(`http://127.0.0.1:${port}/v1/auth/register`, { method: "POST", body, headers: { "content-type": "application/json" }, duplex: "half" } as RequestInit)
    push(new TextEncoder().encode('{"email":"late@example.com",'))
    await Bun.sleep(200)
    proc.kill("SIGTERM")
    await Bun.sleep(200)
    push(new TextEncoder().encode('"password":"correct horse battery staple"}'))
    push(null)
    const res = await pending
    expect({ status: res.status, body: await res.json() }).toMatchObject({ status: 201, body: { user: { email: "late@example.com" } } })
    expect(await proc.exited).toBe(0)
  })

  test("`tdk migrate` and `tdk config check` work from the binary; a bad value exits 2 with one line", async () => {
    const env = { PATH: process.env.PATH ?? "", DATABASE_URL: `sqlite:${join(dir, "m.db")}` }
    const migrate = Bun.spawnSync([binary, "migrate"], { cwd: dir, env })
    expect({ code: migrate.exitCode, out: migrate.stdout.toString() }).toMatchObject({ code: 0, out: expect.stringContaining("migrations applied") })
    const bad = Bun.spawnSync([binary, "config", "check"], { cwd: dir, env: { ...env, PORT: "http" } })
    expect({ code: bad.exitCode, err: bad.stderr.toString() }).toEqual({ code: 2, err: 'config error: PORT: expected an integer from 1 to 65535, got "http"\n' })
  })
})

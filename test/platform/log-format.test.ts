// Logs for people on a terminal, JSON lines for everything else; one start-up
// line that says where the server, its console and its docs are; probes and
// the sandbox's own calls kept out of the info level.
import { afterAll, describe, expect, test } from "bun:test"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { prettyLine, resolveLogFormat } from "../../src/platform/logging/logger"
import { startServer, stopAllServers } from "../support/server-process"
import { TEST_MASTER_KEYS } from "../support/app"

const dir = mkdtempSync(join(tmpdir(), "tdk-logfmt-"))
afterAll(async () => {
  await stopAllServers()
  rmSync(dir, { recursive: true, force: true })
})

describe("log format", () => {
  test("a pretty line: time, level, message, then key=value, quoting values with spaces", () => {
    const line = prettyLine({ time: "2026-12-01T10:56:38.123Z", level: "info", msg: "request", method: "GET", path: "/v1/key", detail: "two words", n: 3, empty: undefined })
    expect(line).toBe('10:56:38.123 INFO  request method=GET path=/v1/key detail="two words" n=3')
    expect(prettyLine({ time: "2026-12-01T10:56:38.123Z", level: "error", msg: "x" }, true)).toContain("\x1b[31m")
    // Control characters from a caller cannot move the terminal's cursor or start a forged line.
    const forged = prettyLine({ time: "2026-12-01T10:56:38.123Z", level: "info", msg: "hi\n10:00:00.000 INFO  fake", reason: "\x1b[1A\x1b[2KOK" })
    expect(forged).not.toContain("\x1b")
    expect(forged).not.toContain("\n")
    expect(forged).toContain('reason="\\u001b[1A\\u001b[2KOK"')
  })

  test("auto is pretty on a terminal and JSON otherwise; an explicit choice wins", () => {
    expect(resolveLogFormat("auto", true)).toBe("pretty")
    expect(resolveLogFormat("auto", false)).toBe("json")
    expect(resolveLogFormat("json", true)).toBe("json")
    expect(resolveLogFormat("pretty", false)).toBe("pretty")
  })

  test("tdk serve: with LOG_FORMAT=pretty the start-up line names the URL, the console and the docs, and probes log at debug only; piped without LOG_FORMAT, every line is JSON", async () => {
    const base = { DATABASE_URL: `sqlite:${join(dir, "a.db")}`, WALLET_ENCRYPTION_KEYS: TEST_MASTER_KEYS, DATA_DIR: join(dir, "data-a"), SANDBOX_POOL_SIZE: "0" }
    const pretty = await startServer({ ...base, LOG_FORMAT: "pretty" }, join(dir, "pretty.log"))
    await fetch(`${pretty.baseUrl}/healthz`)
    await fetch(`${pretty.baseUrl}/v1/agents`)
    // The access line is written after the answer is sent: wait for it before stopping the server.
    const deadline = Date.now() + 5_000
    while (!readFileSync(join(dir, "pretty.log"), "utf8").includes("path=/v1/agents") && Date.now() < deadline) await Bun.sleep(20)
    await pretty.kill("SIGTERM")
    const text = readFileSync(join(dir, "pretty.log"), "utf8")
    expect(text).toMatch(new RegExp(`INFO  TDK Core \\S+ listening on ${pretty.baseUrl}: console ${pretty.baseUrl}/console, API docs ${pretty.baseUrl}/docs`))
    expect(text).toContain("path=/v1/agents")
    expect(text).not.toContain("path=/healthz")
    expect(text).not.toContain("path=/readyz")
    expect(text.split("\n").filter((l) => l.startsWith("{"))).toEqual([])

    const piped = await startServer({ ...base, DATABASE_URL: `sqlite:${join(dir, "b.db")}`, DATA_DIR: join(dir, "data-b") }, join(dir, "json.log"))
    await piped.kill("SIGTERM")
    const lines = readFileSync(join(dir, "json.log"), "utf8").split("\n").filter((l) => l.trim() !== "")
    expect(lines.length).toBeGreaterThan(0)
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow()
    expect(lines.map((l) => JSON.parse(l)).find((r) => String(r.msg).includes("listening"))).toMatchObject({ console: `${piped.baseUrl}/console`, docs: `${piped.baseUrl}/docs` })
  }, 60_000)
})

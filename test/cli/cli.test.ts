// The CLI's surface (effect/cli over the command table): help for
// everything, the version, groups, unknown flags refused, and `config check`
// refusing exactly what `serve` refuses.
import { afterAll, describe, expect, spyOn, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { commands, main } from "../../src/main"
import { VERSION } from "../../src/version"

/** Runs the CLI in this process, capturing what it prints. */
const cli = async (...argv: Array<string>) => {
  const out: Array<string> = []
  const err: Array<string> = []
  const log = spyOn(console, "log").mockImplementation((...a: Array<unknown>) => void out.push(a.join(" ")))
  const error = spyOn(console, "error").mockImplementation((...a: Array<unknown>) => void err.push(a.join(" ")))
  try {
    const code = await main(argv)
    return { code, out: out.join("\n"), err: err.join("\n") }
  } finally {
    log.mockRestore()
    error.mockRestore()
  }
}

const dir = mkdtempSync(join(tmpdir(), "tdk-cli-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const spawn = (argv: Array<string>, env: Record<string, string>) => {
  const p = Bun.spawnSync(["bun", join(import.meta.dir, "../../src/main.ts"), ...argv], { cwd: dir, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DATA_DIR: join(dir, "data"), ...env } })
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() }
}

describe("tdk", () => {
  test("`tdk help`, `tdk --help` and `-h` list every command and exit 0; no command lists them and exits 2", async () => {
    for (const argv of [["help"], ["--help"], ["-h"]]) {
      const r = await cli(...argv)
      expect(r.code).toBe(0)
      for (const c of commands) expect(r.out).toContain(c.words.join(" "))
    }
    expect((await cli()).code).toBe(2)
  })

  test("`tdk --version`, `-V` and `tdk version` print the version", async () => {
    for (const argv of [["--version"], ["-V"], ["version"]]) expect(await cli(...argv)).toMatchObject({ code: 0, out: `tdk ${VERSION}` })
  })

  test("every command's --help names its flags, the environment and an example, and exits 0; `tdk help <command>` prints the same", async () => {
    for (const c of commands) {
      const r = await cli(...c.words, "--help")
      expect({ command: c.words.join(" "), code: r.code }).toEqual({ command: c.words.join(" "), code: 0 })
      expect(r.out).toContain(`USAGE\n  tdk ${c.words.join(" ")}`)
      for (const o of c.options ?? []) expect(r.out).toContain(`--${o.name}`)
      expect(r.out).toContain("Environment:")
      expect(r.out).toContain(`EXAMPLES\n  ${c.example}`)
      expect((await cli("help", ...c.words)).out).toBe(r.out)
    }
  })

  test("a group (`tdk pool`, `tdk pool --help`) lists its commands; a group alone or an unknown command is refused with 2", async () => {
    const group = await cli("pool", "--help")
    expect(group.code).toBe(0)
    // Each on a line of its own ("rotate" is also inside "rotate-master", "sweep" inside the description).
    for (const c of commands.filter((c) => c.words[0] === "pool")) expect(group.out).toMatch(new RegExp(`^\\s+${c.words[1]}\\s{2,}`, "m"))
    expect((await cli("pool")).code).toBe(2)
    const unknown = await cli("pool", "explode")
    expect(unknown.code).toBe(2)
    expect(unknown.err).toContain('Unknown subcommand "explode" for "tdk pool"')
    expect(await cli("help", "explode")).toMatchObject({ code: 2, err: expect.stringContaining("unknown command: explode") })
  })

  test("a flag a command does not take is refused with 2, naming it, before anything runs", async () => {
    const r = await cli("pool", "generate", "--count", "1", "--cuont", "2")
    const err = r.err
    expect(r.code).toBe(2)
    expect(err).toContain("Unrecognized flag: --cuont in command tdk pool generate")
    expect(err).toContain("--count")
    expect((await cli("migrate", "--dry-run")).err).toContain("Unrecognized flag: --dry-run")
  })

  test("a valued flag without its value is refused with 2: a refill's cap is never dropped", async () => {
    for (const argv of [["pool", "refill", "--max-usdc"], ["pool", "refill", "--dry-run", "--max-usdc"], ["pool", "generate", "--count"]]) {
      const r = await cli(...argv)
      expect({ argv, code: r.code }).toEqual({ argv, code: 2 })
      expect(r.err).toContain("Missing value for flag")
    }
  })

  test("config check refuses what serve refuses, with the same line and exit code, and writes nothing", () => {
    const env = { TETTO_NETWORK: "devnet", DATABASE_URL: `sqlite:${join(dir, "x.db")}` }
    const check = spawn(["config", "check"], env)
    const serve = spawn(["serve"], env)
    expect(check.code).toBe(2)
    expect(serve.code).toBe(2)
    expect(check.err).toContain("config error: WALLET_ENCRYPTION_KEYS: required when TETTO_NETWORK=devnet")
    expect(check.err).toBe(serve.err)
    // On the sandbox the key file is made by serve, not by a check.
    const ok = spawn(["config", "check"], { DATABASE_URL: `sqlite:${join(dir, "y.db")}` })
    expect(ok.code).toBe(0)
    expect(ok.out).toMatch(/PORT\s+3000\s+default/)
    expect(ok.out).toMatch(/\nSTRIPE\n/)
    expect(Bun.file(join(dir, "data", "master.key")).size).toBe(0)
  }, 30_000)
})

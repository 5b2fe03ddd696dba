// `tdk pool …` from source, in a scratch directory.
import { afterAll, describe, expect, test } from "bun:test"
import { mkdtempSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const main = join(import.meta.dir, "../../src/main.ts")
const dir = mkdtempSync(join(tmpdir(), "tdk-pool-cli-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const run = (args: Array<string>, env: Record<string, string> = {}) => {
  const p = Bun.spawnSync(["bun", main, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? "", DATA_DIR: join(dir, "data"), ...env } })
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() }
}

describe("tdk pool", () => {
  test("new-master-key prints one id:hex line that WALLET_ENCRYPTION_KEYS accepts", () => {
    const r = run(["pool", "new-master-key", "--id", "k9"])
    const line = r.out.trim()
    expect({ code: r.code, line }).toMatchObject({ code: 0, line: expect.stringMatching(/^k9:[0-9a-f]{64}$/) })
    const check = run(["config", "check"], { WALLET_ENCRYPTION_KEYS: line })
    expect({ code: check.code, out: check.out }).toMatchObject({ code: 0, out: expect.stringMatching(/WALLET_ENCRYPTION_KEYS\s+\(set, redacted\)/) })
    expect(check.out).not.toContain(line.slice(3))
  }, 30_000)

  test("generate in the sandbox creates the 0600 key file with a loud warning; devnet without a key exits 2 saying how to make one", () => {
    const g = run(["pool", "generate", "--count", "3"])
    expect(g).toMatchObject({ code: 0, out: "generated 3 wallets\n", err: expect.stringContaining("SANDBOX MASTER KEY GENERATED") })
    expect(statSync(join(dir, "data", "master.key")).mode & 0o777).toBe(0o600)
    const d = run(["pool", "generate", "--count", "1"], { TETTO_NETWORK: "devnet" })
    expect(d).toMatchObject({ code: 2, err: expect.stringContaining("config error: WALLET_ENCRYPTION_KEYS: required when TETTO_NETWORK=devnet; run `tdk pool new-master-key`") })
    expect(run(["pool", "generate", "--count", "0"])).toMatchObject({ code: 2 })
  }, 30_000)

  test("refill-report prints each wallet's needs and exact totals; balances with the RPC down exits 1 and keeps statuses", () => {
    const env = { WALLET_ENCRYPTION_KEYS: `cli:${"22".repeat(32)}`, DATA_DIR: join(dir, "reports"), POOL_REFILL_TARGET_USDC: "1234567", POOL_REFILL_TARGET_LAMPORTS: "1000", SOLANA_RPC_URL: "http://127.0.0.1:9/solana", SOLANA_RPC_TIMEOUT_MS: "1000" }
    expect(run(["pool", "generate", "--count", "3"], env)).toMatchObject({ code: 0 })
    const report = run(["pool", "refill-report"], env)
    // read before toMatchObject: bun replaces matched fields with the asymmetric matchers
    const walletLines = report.out.split("\n").filter((l) => l.startsWith("wal_"))
    expect(report).toMatchObject({ code: 0, out: expect.stringContaining("total: 3703701 micro-USD (3.703701 USD) and 3000 lamports (0.000003000 SOL)") })
    expect(walletLines).toHaveLength(3)
    const balances = run(["pool", "balances"], env)
    const balancesOut = balances.out
    expect(balances).toMatchObject({ code: 1, out: expect.stringContaining("read 0 of 3 wallets (3 failed): 3 active, 0 low_balance, 0 depleted, 0 retired") })
    expect(balancesOut).not.toContain("127.0.0.1:9")
  }, 30_000)
})

describe("the RPC URL the CLI names", () => {
  test("is its origin only: a provider's key in the user part, path or query is never printed", async () => {
    const { shownRpc } = await import("../../src/cli/pool-reports")
    for (const url of ["https://mainnet.example.com/v2/SeCrEtKeY123", "https://user:SeCrEtKeY123@rpc.example.com/", "https://rpc.example.com/?api-key=SeCrEtKeY123", "https://x.quiknode.pro/SeCrEtKeY123/"]) {
      const shown = shownRpc(url)
      expect(shown).not.toContain("SeCrEtKeY123")
      expect(shown).toBe(new URL(url).origin)
    }
  })

  test("a failed send's message, as printed, names no RPC key (web3.js puts the URL in its errors)", async () => {
    const { sendFailure } = await import("../../src/cli/funding")
    const { testConfig } = await import("../support/app")
    for (const url of ["https://mainnet.example.com/v2/SeCrEtKeY123", "https://rpc.example.com/?api-key=SeCrEtKeY123"]) {
      const config = testConfig({ SOLANA_RPC_URL: url })
      const shown = sendFailure(new Error(`failed to get recent blockhash: fetch to ${url} failed: connection refused`), config)
      expect(shown).not.toContain("SeCrEtKeY123")
      expect(shown).toContain("connection refused")
    }
  })
})

// `tdk pool rotate` and `tdk pool sweep` from source against a running
// sandbox server (the faucet funds the new wallets there): a dry run changes
// nothing, a rotation retires every old wallet for a funded new one, the
// sweep empties the retired wallets into the treasury, and a second sweep
// sends nothing.
import { afterAll, describe, expect, test } from "bun:test"
import { Keypair } from "@solana/web3.js"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { startServer, stopAllServers } from "../support/server-process"
import { TEST_MASTER_KEYS } from "../support/app"

const dir = mkdtempSync(join(tmpdir(), "tdk-lifecycle-"))
afterAll(async () => {
  await stopAllServers()
  rmSync(dir, { recursive: true, force: true })
})

describe("tdk pool rotate and sweep on the sandbox", () => {
  test("dry run, rotation, sweep, and a sweep that finds nothing left", async () => {
    const treasury = Keypair.generate().publicKey.toBase58()
    const env = { DATABASE_URL: `sqlite:${join(dir, "tdk.db")}`, WALLET_ENCRYPTION_KEYS: TEST_MASTER_KEYS, DATA_DIR: join(dir, "data"), SANDBOX_POOL_SIZE: "2", POOL_TREASURY_ADDRESS: treasury }
    const server = await startServer(env, join(dir, "server.log"))
    const url = `http://127.0.0.1:${server.port}`
    await fetch(`${url}/sandbox/faucet`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ wallet: treasury, usdc: 1, sol: 1 }) })
    const cli = (...argv: Array<string>) => {
      const p = Bun.spawnSync(["bun", join(import.meta.dir, "../../src/main.ts"), "pool", ...argv], { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env, PORT: String(server.port) } })
      return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() }
    }
    const usdcOf = async (owner: string) => {
      const r = (await (await fetch(`${url}/sandbox/solana`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getTokenAccountsByOwner", params: [owner, { programId: "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA" }, { encoding: "jsonParsed" }] }) })).json()) as any
      return r.result.value.reduce((n: number, a: any) => n + Number(a.account.data.parsed.info.tokenAmount.amount), 0)
    }

    expect(cli("rotate", "--older-than", "ninety")).toMatchObject({ code: 2, err: expect.stringContaining("--older-than takes an age") })
    // Outputs are read into locals first: bun's toMatchObject replaces matched fields with its matchers.
    const dry = cli("rotate", "--older-than", "0m", "--dry-run")
    const dryOut = dry.out
    expect(dry.code).toBe(0)
    expect(dryOut).toContain("would rotate 2 live wallets")
    expect(dryOut.split("\n").filter((l) => l.includes("planned"))).toHaveLength(2)

    const rotated = cli("rotate", "--older-than", "0m")
    expect({ code: rotated.code, err: rotated.err }).toMatchObject({ code: 0 })
    expect(rotated.out).toContain("rotated 2 live wallets")
    expect(rotated.out.split("\n").filter((l) => / retired +[1-9A-HJ-NP-Za-km-z]{32,44} /.test(l))).toHaveLength(2)

    // The retired wallets, by the first column of their rows.
    const retiredKeys = rotated.out.split("\n").filter((l) => / retired +[1-9A-HJ-NP-Za-km-z]{32,44} /.test(l)).map((l) => l.trim().split(/\s+/)[0]!)
    expect(retiredKeys).toHaveLength(2)
    const balances = cli("balances")
    expect(balances.out).toContain("4 active, 0 low_balance, 0 depleted, 2 retired")
    const before = await usdcOf(treasury)
    // What the ledger holds on them: what the sweep must send.
    const held = (await Promise.all(retiredKeys.map(usdcOf))).reduce((n, x) => n + x, 0)
    expect(held).toBeGreaterThan(0)
    // Retired moments ago: left for later unless the grace is shortened.
    const early = cli("sweep")
    const earlyOut = early.out
    expect(early.code).toBe(0)
    expect(earlyOut.split("\n").filter((l) => l.includes("cooling_down"))).toHaveLength(2)
    expect(cli("sweep", "--grace", "soon")).toMatchObject({ code: 2 })
    const swept = cli("sweep", "--grace", "0m")
    const sweptOut = swept.out
    expect(swept.code).toBe(0)
    expect(sweptOut).toContain("from 2 retired wallet(s)")
    const moved = Number(/sent (\d+)\.(\d{6}) USDC/.exec(sweptOut)!.slice(1).join(""))
    expect(moved).toBe(held)
    expect(await usdcOf(treasury)).toBe(before + held)
    for (const key of retiredKeys) expect(await usdcOf(key)).toBe(0)
    const again = cli("sweep", "--grace", "0m")
    const againOut = again.out
    expect(again.code).toBe(0)
    expect(againOut).toContain("sent 0.000000 USDC and 0.000000000 SOL")
    expect(againOut.split("\n").filter((l) => l.includes("already_swept"))).toHaveLength(2)
    await server.kill("SIGTERM")
  }, 120_000)
})

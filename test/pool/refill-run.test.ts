// Carrying out the refill report: the plan within a run's USDC cap, the
// treasury's transaction executed on LiteSVM (the real System and SPL Token
// programs), the key file read without echoing it, and `tdk pool refill` on
// the sandbox, where the faucet stands in for the treasury.
import { afterAll, describe, expect, test } from "bun:test"
import { address, getTransactionDecoder, lamports, type Address } from "@solana/kit"
import { AccountLayout, getAssociatedTokenAddressSync, TOKEN_PROGRAM_ID } from "@solana/spl-token"
import { Keypair, PublicKey } from "@solana/web3.js"
import { FailedTransactionMetadata, LiteSVM } from "litesvm"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { readKeypairFile, refillPlan, refillTransaction } from "../../src/modules/pool/refill-run"
import type { RefillLine } from "../../src/modules/pool/refill"
import { mintBytes, tokenAccountView } from "../../src/modules/sandbox/accounts"
import { MINT_RENT_LAMPORTS } from "../../src/modules/sandbox/identities"
import { networkConstants } from "../../src/platform/solana/networks"
import { startServer, stopAllServers } from "../support/server-process"
import { freshDatabase, pgUrl } from "../support/db"
import { jobLockKey } from "../../src/platform/jobs/lock"
import postgres from "postgres"
import { TEST_MASTER_KEYS } from "../support/app"
import { POOL_FUNDING_JOB } from "../../src/modules/pool/rotation"

const dir = mkdtempSync(join(tmpdir(), "tdk-refill-"))
afterAll(async () => {
  await stopAllServers()
  rmSync(dir, { recursive: true, force: true })
})

const line = (id: string, usdc: number, lamportsNeeded: number): RefillLine => ({
  wallet_id: id, public_key: Keypair.generate().publicKey.toBase58(), status: "active", usdc_balance: 0, usdc_needed: usdc, lamports: 0, lamports_needed: lamportsNeeded, last_balance_check_at: null, last_balance_error: null,
})

describe("refill plan", () => {
  test("skips wallets that need nothing, and defers the wallets past the run's USDC cap, in the report's order", () => {
    const lines = [line("a", 40, 0), line("b", 0, 0), line("c", 50, 5), line("d", 0, 7), line("e", 20, 0)]
    const capped = refillPlan(lines, 70)
    expect(capped.steps.map((s) => s.walletId)).toEqual(["a", "d", "e"])
    expect(capped.deferred.map((s) => s.walletId)).toEqual(["c"])
    expect(refillPlan(lines, undefined).steps.map((s) => s.walletId)).toEqual(["a", "c", "d", "e"])
  })

  test("a key file that is not solana-keygen's 64-byte array is refused without echoing it", () => {
    const secret = "[1,2,3,\"s3cr3t-material\"]"
    expect(() => readKeypairFile(secret)).toThrow("array of 64 bytes")
    expect(() => readKeypairFile(secret)).not.toThrow(/s3cr3t/)
    expect(() => readKeypairFile("not json s3cr3t")).toThrow("not JSON")
    expect(() => readKeypairFile("not json s3cr3t")).not.toThrow(/s3cr3t/)
    const kp = Keypair.generate()
    expect(readKeypairFile(JSON.stringify([...kp.secretKey])).publicKey.toBase58()).toBe(kp.publicKey.toBase58())
  })
})

describe("refill transaction on LiteSVM", () => {
  const addr = (k: PublicKey): Address => address(k.toBase58())
  test("the treasury's transaction creates the wallet's token account if missing and moves exactly the USDC and SOL needed", () => {
    const mint = new PublicKey(networkConstants.mainnet.usdcMint)
    const treasury = Keypair.generate()
    const wallet = Keypair.generate()
    const svm = new LiteSVM()
    svm.airdrop(addr(treasury.publicKey), lamports(2_000_000_000n))
    svm.setAccount({ address: addr(mint), data: mintBytes(1_000_000_000), executable: false, lamports: lamports(BigInt(MINT_RENT_LAMPORTS)), programAddress: addr(TOKEN_PROGRAM_ID), space: 82n })
    const treasuryAta = getAssociatedTokenAddressSync(mint, treasury.publicKey)
    const view = tokenAccountView({ address: treasuryAta.toBase58(), owner: treasury.publicKey.toBase58(), mint: mint.toBase58(), amount: 500_000_000 })
    svm.setAccount({ address: addr(treasuryAta), data: view.bytes, executable: false, lamports: lamports(BigInt(view.lamports)), programAddress: addr(TOKEN_PROGRAM_ID), space: BigInt(view.bytes.length) })

    const step = { walletId: "w", publicKey: wallet.publicKey.toBase58(), usdc: 123_456_789, lamports: 100_000_000 }
    for (const round of [1, 2]) {
      const tx = refillTransaction(treasury, step, mint, svm.latestBlockhash())
      const result = svm.sendTransaction(getTransactionDecoder().decode(tx.serialize()))
      if (result instanceof FailedTransactionMetadata) throw new Error(`round ${round} failed: ${result.toString()}`)
      svm.expireBlockhash()
    }
    const walletAta = svm.getAccount(addr(getAssociatedTokenAddressSync(mint, wallet.publicKey)))
    if (!walletAta.exists) throw new Error("no token account")
    expect(AccountLayout.decode(Buffer.from(walletAta.data)).amount).toBe(2n * 123_456_789n)
    expect(svm.getBalance(addr(wallet.publicKey))).toBe(lamports(200_000_000n))
    // More than the treasury holds is refused by the token program, as a real chain would.
    const tooMuch = refillTransaction(treasury, { ...step, usdc: 500_000_000 }, mint, svm.latestBlockhash())
    expect(svm.sendTransaction(getTransactionDecoder().decode(tooMuch.serialize()))).toBeInstanceOf(FailedTransactionMetadata)
  })
})

describe("tdk pool refill on the sandbox", () => {
  test("--dry-run sends nothing; a capped run funds the first wallet and defers the other; the next run funds it; the balances reach the target", async () => {
    const db = `sqlite:${join(dir, "sandbox.db")}`
    const env = { DATABASE_URL: db, WALLET_ENCRYPTION_KEYS: TEST_MASTER_KEYS, DATA_DIR: join(dir, "data"), SANDBOX_POOL_SIZE: "2" }
    const server = await startServer(env, join(dir, "server.log"))
    const cli = (...argv: Array<string>) => {
      const p = Bun.spawnSync(["bun", join(import.meta.dir, "../../src/main.ts"), "pool", ...argv], {
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env, PORT: String(server.port), POOL_REFILL_TARGET_USDC: "150000000" },
      })
      return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() }
    }
    const dry = cli("refill", "--dry-run")
    expect(dry.code).toBe(0)
    expect(dry.out).toContain("2 wallets to fund: 100.000000 USDC")
    expect(dry.out).toContain("(dry run)")
    const first = cli("refill", "--max-usdc", "50000000")
    expect(first.code).toBe(0)
    expect(first.out).toContain("1 wallet to fund: 50.000000 USDC")
    expect(first.out).toContain("1 more wait for the next run")
    expect(first.out).toContain("funded by the faucet")
    const second = cli("refill")
    expect(second.code).toBe(0)
    expect(second.out).toContain("1 wallet to fund: 50.000000 USDC")
    const balances = cli("balances")
    expect(balances.code).toBe(0)
    expect(balances.out.match(/150000000/g)?.length).toBe(2)
    expect(cli("refill", "--dry-run").out).toContain("0 wallets to fund")
    await server.kill("SIGTERM")
  }, 90_000)
})

describe.skipIf(!pgUrl)("tdk pool refill on Postgres", () => {
  test("a refill finds another one, or a rotation, running (the funding lock held) and stops before reading or sending anything", async () => {
    const db = await freshDatabase("postgres")
    const holder = postgres(db.url, { max: 1, onnotice: () => {} })
    try {
      const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DATABASE_URL: db.url, WALLET_ENCRYPTION_KEYS: TEST_MASTER_KEYS, DATA_DIR: join(dir, "pg-data"), SOLANA_RPC_URL: "http://127.0.0.1:9/solana", SOLANA_RPC_TIMEOUT_MS: "500" }
      const refill = () => Bun.spawnSync(["bun", join(import.meta.dir, "../../src/main.ts"), "pool", "refill", "--dry-run"], { env })
      const held = await holder.reserve()
      await held`select pg_advisory_lock(${jobLockKey(POOL_FUNDING_JOB)}::bigint)`
      const blocked = refill()
      expect({ code: blocked.exitCode, err: blocked.stderr.toString() }).toMatchObject({ code: 1, err: expect.stringContaining("another refill or a rotation is running") })
      expect(blocked.stdout.toString()).not.toContain("to fund")
      await held`select pg_advisory_unlock(${jobLockKey(POOL_FUNDING_JOB)}::bigint)`
      held.release()
      const free = refill()
      expect({ code: free.exitCode, out: free.stdout.toString() }).toMatchObject({ code: 0, out: expect.stringContaining("0 wallets to fund") })
    } finally {
      await holder.end({ timeout: 5 })
      await db.close()
    }
  }, 60_000)
})

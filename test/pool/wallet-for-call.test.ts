// Which wallet pays a call: the key's own while it can pay; a stand-in for
// ordinary agents when it cannot; a 503 WalletDepleted for storage agents.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect, Exit, Cause } from "effect"
import { toProblem } from "../../src/app/error-map"
import { generateWallets } from "../../src/modules/pool/service"
import { walletForCall } from "../../src/modules/pool/wallet-for-call"
import { Store } from "../../src/store/store"
import type { WalletStatus } from "../../src/store/wallets/repo"
import { makeTestApp, type TestApp } from "../support/app"
import { dialects } from "../support/db"
import { sql } from "drizzle-orm"
import { Database } from "../../src/platform/db/database"
import { exec } from "../support/billing"
import { seedKeys } from "./seed"
import { run, wallet } from "./served"

/** A live key as walletForCall sees it. */
const liveKey = (keyId: string, walletId: string | null, storageWalletId: string | null = null) => ({ keyId, walletId, storageWalletId, environment: "live" as const })

const setBalance = (h: TestApp, id: string, status: Exclude<WalletStatus, "retired">, usdcBalance: number) =>
  run(h, Effect.flatMap(Store, (s) => s.wallets.recordBalance(id, { status, usdcBalance, lamports: 100_000_000, checkedAt: 1 })))

const failure = async (h: TestApp, program: Effect.Effect<unknown, unknown, any>) => {
  const exit = await h.runtime.runPromiseExit(program as Effect.Effect<unknown, unknown, never>)
  if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${JSON.stringify(exit.value)}`)
  const e = Cause.findErrorOption(exit.cause)
  if (e._tag !== "Some") throw new Error(Cause.pretty(exit.cause))
  return e.value as { _tag: string }
}

for (const dialect of dialects) {
  describe(`walletForCall (${dialect})`, () => {
    let h: TestApp
    let ids: Array<string>
    beforeAll(async () => {
      h = await makeTestApp(dialect)
      ids = await run(h, generateWallets(3))
    })
    afterAll(() => h.close())

    test("a key without a wallet is assigned one (fewest keys), and keeps it", async () => {
      const [key] = await seedKeys(h.runtime, 1)
      const first = await run(h, walletForCall(liveKey(key!, null), { storage: false }))
      expect({ id: first.wallet.id, borrowed: first.borrowed, keys: first.wallet.assignedKeyCount }).toEqual({ id: ids[0]!, borrowed: false, keys: 1 })
      const again = await run(h, walletForCall(liveKey(key!, first.wallet.id), { storage: true }))
      expect({ id: again.wallet.id, borrowed: again.borrowed }).toEqual({ id: ids[0]!, borrowed: false })
      // a low_balance wallet still pays
      await setBalance(h, ids[0]!, "low_balance", 5_000_000)
      expect((await run(h, walletForCall(liveKey(key!, ids[0]!), { storage: true }))).wallet.id).toBe(ids[0]!)
    })

    test("own wallet depleted: an ordinary call borrows the best-funded active wallet for this call only; a storage call fails with 503 wallet_depleted", async () => {
      const [key] = await seedKeys(h.runtime, 1)
      // The key's row holds the wallet its identity names (the storage wallet is recorded from the row).
      await exec(await h.runtime.runPromise(Effect.map(Database, (d) => d)), sql`update api_keys set wallet_id = ${ids[0]!} where id = ${key!}`)
      await setBalance(h, ids[0]!, "depleted", 10)
      await setBalance(h, ids[1]!, "active", 20_000_000)
      await setBalance(h, ids[2]!, "active", 30_000_000)
      const r = await run(h, walletForCall(liveKey(key!, ids[0]!), { storage: false }))
      expect({ id: r.wallet.id, borrowed: r.borrowed }).toEqual({ id: ids[2]!, borrowed: true })
      expect((await wallet(h, ids[2]!)).assignedKeyCount).toBe(0)

      const e = await failure(h, walletForCall(liveKey(key!, ids[0]!), { storage: true }))
      expect(e).toMatchObject({ _tag: "WalletDepleted", walletId: ids[0]! })
      const { body, headers } = toProblem(e as never, "req_test")
      const detail = body.detail
      expect({ status: body.status, code: body.code, retryAfter: headers["retry-after"] }).toEqual({ status: 503, code: "wallet_depleted", retryAfter: "300" })
      expect(detail).toContain("an operator must refill")
      expect(detail).not.toContain(ids[0]!)
    })

    test("an active wallet is preferred to a richer low_balance one; low_balance wallets still take new keys; no paying wallet left → NoFundedWallet", async () => {
      const [key] = await seedKeys(h.runtime, 1)
      await setBalance(h, ids[1]!, "active", 100_000)
      await setBalance(h, ids[2]!, "low_balance", 9_000_000)
      expect((await run(h, walletForCall(liveKey(key!, ids[0]!), { storage: false }))).wallet.id).toBe(ids[1]!)
      await setBalance(h, ids[1]!, "depleted", 0)
      expect((await run(h, walletForCall(liveKey(key!, ids[0]!), { storage: false }))).wallet.id).toBe(ids[2]!)
      // only a low_balance wallet left: a new key is still assigned (low wallets pay)
      const [late] = await seedKeys(h.runtime, 1)
      expect(await run(h, walletForCall(liveKey(late!, null), { storage: true }))).toMatchObject({ wallet: { id: ids[2]! }, borrowed: false })
      await setBalance(h, ids[2]!, "depleted", 0)
      expect(await failure(h, walletForCall(liveKey(key!, ids[0]!), { storage: false }))).toMatchObject({ _tag: "NoFundedWallet" })
      const [fresh] = await seedKeys(h.runtime, 1)
      expect(await failure(h, walletForCall(liveKey(fresh!, null), { storage: false }))).toMatchObject({ _tag: "NoFundedWallet" })
    })

    test("test keys pay from the test pool only, and live keys never from it; a test key holding a live wallet moves to a test wallet", async () => {
      const testIds = await run(h, generateWallets(2, { environment: "test" }))
      await setBalance(h, ids[0]!, "active", 1_000_000)
      const [live] = await seedKeys(h.runtime, 1)
      const [tk, legacy] = await seedKeys(h.runtime, 2, "test")
      const testKey = (keyId: string, walletId: string | null) => ({ keyId, walletId, storageWalletId: null, environment: "test" as const })

      const assigned = await run(h, walletForCall(testKey(tk!, null), { storage: false }))
      expect(testIds).toContain(assigned.wallet.id)
      expect(assigned.wallet.environment).toBe("test")
      expect(ids).toContain((await run(h, walletForCall(liveKey(live!, null), { storage: false }))).wallet.id)

      // Assigned a live wallet before test keys had a pool of their own.
      const handle = await h.runtime.runPromise(Effect.map(Database, (d) => d))
      await exec(handle, sql`update api_keys set wallet_id = ${ids[2]!} where id = ${legacy!}`)
      await exec(handle, sql`update wallet_pool set assigned_key_count = assigned_key_count + 1 where id = ${ids[2]!}`)
      const liveCount = (await wallet(h, ids[2]!)).assignedKeyCount
      const moved = await run(h, walletForCall(testKey(legacy!, ids[2]!), { storage: true }))
      expect(moved.wallet.environment).toBe("test")
      expect((await run(h, Effect.flatMap(Store, (s) => s.keys.findById(legacy!))))!.walletId).toBe(moved.wallet.id)
      expect((await wallet(h, ids[2]!)).assignedKeyCount).toBe(liveCount - 1)

      // A test wallet that cannot pay borrows a test stand-in, never a live one.
      for (const id of testIds) await setBalance(h, id, id === moved.wallet.id ? "depleted" : "active", 10_000_000)
      const standIn = await run(h, walletForCall(testKey(legacy!, moved.wallet.id), { storage: false }))
      expect({ environment: standIn.wallet.environment, borrowed: standIn.borrowed }).toEqual({ environment: "test", borrowed: true })
      await setBalance(h, standIn.wallet.id, "depleted", 0)
      expect(await failure(h, walletForCall(testKey(legacy!, moved.wallet.id), { storage: false }))).toMatchObject({ _tag: "NoFundedWallet" })
    })

    test("a storage call pays from the key's storage wallet, retired or not, judged by its balance; the key's own wallet is not read", async () => {
      const [key] = await seedKeys(h.runtime, 1)
      const [holder, own] = await run(h, generateWallets(2))
      await run(h, Effect.flatMap(Store, (s) => s.wallets.retire(holder!, own!, 1, [])))
      // Retired and funded: it pays. The key's own wallet id names no row at all, and nothing reads it.
      await run(h, Effect.flatMap(Store, (s) => s.wallets.recordBalance(holder!, { status: "active", usdcBalance: 50_000_000, lamports: 100_000_000, checkedAt: 1 })))
      const paid = await run(h, walletForCall(liveKey(key!, "wal_missing", holder!), { storage: true }))
      expect({ id: paid.wallet.id, status: paid.wallet.status, keyChanged: paid.keyChanged }).toEqual({ id: holder!, status: "retired", keyChanged: false })
      // Retired and run dry: refused, as a depleted wallet is, never paid from another.
      await run(h, Effect.flatMap(Store, (s) => s.wallets.recordBalance(holder!, { status: "depleted", usdcBalance: 10, lamports: 100_000_000, checkedAt: 2 })))
      expect(await failure(h, walletForCall(liveKey(key!, own!, holder!), { storage: true }))).toMatchObject({ _tag: "WalletDepleted", walletId: holder! })
    })
  })
}

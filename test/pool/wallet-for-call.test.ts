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
import { seedKeys } from "./seed"
import { run, wallet } from "./served"

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
      const first = await run(h, walletForCall(key!, null, { storage: false }))
      expect({ id: first.wallet.id, borrowed: first.borrowed, keys: first.wallet.assignedKeyCount }).toEqual({ id: ids[0]!, borrowed: false, keys: 1 })
      const again = await run(h, walletForCall(key!, first.wallet.id, { storage: true }))
      expect({ id: again.wallet.id, borrowed: again.borrowed }).toEqual({ id: ids[0]!, borrowed: false })
      // a low_balance wallet still pays
      await setBalance(h, ids[0]!, "low_balance", 5_000_000)
      expect((await run(h, walletForCall(key!, ids[0]!, { storage: true }))).wallet.id).toBe(ids[0]!)
    })

    test("own wallet depleted: an ordinary call borrows the best-funded active wallet for this call only; a storage call fails with 503 wallet_depleted", async () => {
      const [key] = await seedKeys(h.runtime, 1)
      await setBalance(h, ids[0]!, "depleted", 10)
      await setBalance(h, ids[1]!, "active", 20_000_000)
      await setBalance(h, ids[2]!, "active", 30_000_000)
      const r = await run(h, walletForCall(key!, ids[0]!, { storage: false }))
      expect({ id: r.wallet.id, borrowed: r.borrowed }).toEqual({ id: ids[2]!, borrowed: true })
      expect((await wallet(h, ids[2]!)).assignedKeyCount).toBe(0)

      const e = await failure(h, walletForCall(key!, ids[0]!, { storage: true }))
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
      expect((await run(h, walletForCall(key!, ids[0]!, { storage: false }))).wallet.id).toBe(ids[1]!)
      await setBalance(h, ids[1]!, "depleted", 0)
      expect((await run(h, walletForCall(key!, ids[0]!, { storage: false }))).wallet.id).toBe(ids[2]!)
      // only a low_balance wallet left: a new key is still assigned (low wallets pay)
      const [late] = await seedKeys(h.runtime, 1)
      expect(await run(h, walletForCall(late!, null, { storage: true }))).toMatchObject({ wallet: { id: ids[2]! }, borrowed: false })
      await setBalance(h, ids[2]!, "depleted", 0)
      expect(await failure(h, walletForCall(key!, ids[0]!, { storage: false }))).toMatchObject({ _tag: "NoFundedWallet" })
      const [fresh] = await seedKeys(h.runtime, 1)
      expect(await failure(h, walletForCall(fresh!, null, { storage: false }))).toMatchObject({ _tag: "NoFundedWallet" })
    })
  })
}

// The wallets repository counts this process's writes, so the gateway's
// short-lived list of paying wallets is dropped as soon as a wallet changes.
import { describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { StoreUnavailable } from "../../src/platform/db/errors"
import { countingWrites, type WalletsRepo } from "../../src/store/wallets/repo"

const ok = () => Effect.succeed(undefined as never)
const base = {
  insert: ok,
  list: () => Effect.succeed([]),
  findById: () => Effect.succeed(undefined),
  page: () => Effect.succeed([]),
  recordBalance: ok,
  recordBalanceError: () => Effect.fail(new StoreUnavailable({ cause: "down" })),
  mostFunded: () => Effect.succeed(undefined),
  updateSecret: () => Effect.succeed(true),
  assign: () => Effect.succeed({ kind: "no_key" as const }),
  resealBatch: () => Effect.succeed({ scanned: 0, updated: 0, lastId: undefined }),
} as unknown as Omit<WalletsRepo, "writes">

describe("wallet writes counter", () => {
  test("every write method counts once, a failed one too; reads never count", async () => {
    const repo = countingWrites(base)
    await Effect.runPromise(Effect.all([repo.list(), repo.findById("w"), repo.page(10, undefined), repo.mostFunded("w", "live")]))
    expect(repo.writes()).toBe(0)
    await Effect.runPromise(repo.insert([]))
    await Effect.runPromise(repo.recordBalance("w", { usdcBalance: 1, lamports: 1, status: "active", checkedAt: 1 }))
    await Effect.runPromise(repo.assign("key"))
    await Effect.runPromise(repo.updateSecret("w", {} as never, {} as never, 1))
    await Effect.runPromise(repo.resealBatch(undefined, 1, (() => undefined) as never, 1))
    // A write that failed may still have committed: it counts.
    await Effect.runPromise(Effect.result(repo.recordBalanceError("w", "x")))
    expect(repo.writes()).toBe(6)
  })
})

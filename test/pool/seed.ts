// Direct inserts of users and API keys for wallet-pool store tests (the keys
// module owns their real creation).
import { Effect } from "effect"
import type { AppRuntime } from "../../src/app/layers"
import { Database } from "../../src/platform/db/database"
import * as pg from "../../src/platform/db/schema.pg"
import * as sqlite from "../../src/platform/db/schema.sqlite"
import { newStorageNamespace } from "../../src/modules/keys/storage-namespace"
import { newId } from "../../src/platform/ids"

export const seedKeys = async (runtime: AppRuntime, count: number, environment: "live" | "test" = "live"): Promise<Array<string>> => {
  const handle = await runtime.runPromise(Effect.gen(function* () {
    return yield* Database
  }))
  const userId = newId("usr")
  const user = { id: userId, email: `${userId}@example.com`, passwordHash: "x", createdAt: 1 }
  const keys = Array.from({ length: count }, (_, i) => {
    const id = newId("key")
    return { id, userId, keyHash: `hash_${id}`, prefix: `tk_${environment}_`, name: `k${i}`, environment, tier: "free", createdAt: 1, storageNamespace: newStorageNamespace() }
  })
  if (handle.kind === "sqlite") {
    handle.db.insert(sqlite.users).values(user).run()
    for (let i = 0; i < keys.length; i += 200) handle.db.insert(sqlite.apiKeys).values(keys.slice(i, i + 200)).run()
  } else {
    await handle.db.insert(pg.users).values(user)
    for (let i = 0; i < keys.length; i += 200) await handle.db.insert(pg.apiKeys).values(keys.slice(i, i + 200))
  }
  return keys.map((k) => k.id)
}

/** wallet id → number of api_keys rows pointing at it. */
export const realKeyCounts = async (runtime: AppRuntime): Promise<Map<string, number>> => {
  const handle = await runtime.runPromise(Effect.gen(function* () {
    return yield* Database
  }))
  const rows: Array<{ walletId: string | null }> =
    handle.kind === "sqlite" ? handle.db.select({ walletId: sqlite.apiKeys.walletId }).from(sqlite.apiKeys).all() : await handle.db.select({ walletId: pg.apiKeys.walletId }).from(pg.apiKeys)
  const out = new Map<string, number>()
  for (const r of rows) if (r.walletId !== null) out.set(r.walletId, (out.get(r.walletId) ?? 0) + 1)
  return out
}

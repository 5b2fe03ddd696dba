// Wallets on SQLite: one implementation per dialect because assignment needs
// a lock SQLite only has as BEGIN IMMEDIATE (the write lock before the first
// read); Postgres locks the key row and the candidate wallets (pg.ts).
import { and, asc, eq, getTableColumns, gt, inArray, sql } from "drizzle-orm"
import { apiKeys, walletPool } from "../../platform/db/schema.sqlite"
import { attempt } from "../attempt"
import type { SqlPort } from "../port"
import { activeFirst, walletsCommon } from "./common"
import { payingStatuses, walletEnvironmentOf, type Assignment, type WalletRow, type WalletsRepo } from "./repo"

const row = (r: typeof walletPool.$inferSelect): WalletRow => r as WalletRow

// Read for every agent call (and every signer cache miss): a cached bun:sqlite
// statement, columns aliased to WalletRow's field names (all text or integer,
// so nothing needs mapping). See src/store/keys/sqlite.ts.
const walletById = `select ${Object.entries(getTableColumns(walletPool))
  .map(([field, column]) => `"${column.name}" as "${field}"`)
  .join(", ")} from "wallet_pool" where "id" = ?`

export const sqliteWallets = (port: SqlPort): Omit<WalletsRepo, "writes"> => {
  const db = port.db
  return {
    ...walletsCommon(port),
    findById: (id) => attempt(() => db.$client.query<WalletRow, [string]>(walletById).get(id) ?? undefined),
    // bun:sqlite runs this synchronously under BEGIN IMMEDIATE: the write lock is
    // taken before the first read, so no other connection can pick the same
    // "fewest keys" wallet in between.
    assign: (keyId) =>
      attempt(() =>
        db.transaction((tx): Assignment => {
          const key = tx.select({ walletId: apiKeys.walletId, environment: apiKeys.environment }).from(apiKeys).where(eq(apiKeys.id, keyId)).get()
          if (!key) return { kind: "no_key" }
          const environment = walletEnvironmentOf(key.environment)
          let previous: string | undefined
          if (key.walletId !== null) {
            const w = tx.select().from(walletPool).where(eq(walletPool.id, key.walletId)).get()
            if (!w) return { kind: "no_wallet" }
            if (w.environment === environment) return { kind: "existing", wallet: row(w) }
            previous = w.id
          }
          const pick = tx.select().from(walletPool).where(and(inArray(walletPool.status, [...payingStatuses]), eq(walletPool.environment, environment))).orderBy(activeFirst(walletPool), asc(walletPool.assignedKeyCount), asc(walletPool.id)).limit(1).get()
          if (!pick) return { kind: "no_wallet" }
          // The key leaves a wallet of the other environment only now that it has one of its own.
          if (previous !== undefined) tx.update(walletPool).set({ assignedKeyCount: sql`max(${walletPool.assignedKeyCount} - 1, 0)` }).where(eq(walletPool.id, previous)).run()
          tx.update(walletPool).set({ assignedKeyCount: sql`${walletPool.assignedKeyCount} + 1` }).where(eq(walletPool.id, pick.id)).run()
          tx.update(apiKeys).set({ walletId: pick.id }).where(eq(apiKeys.id, keyId)).run()
          return { kind: "assigned", wallet: { ...row(pick), assignedKeyCount: pick.assignedKeyCount + 1 } }
        }, { behavior: "immediate" }),
      ),
    resealBatch: (afterId, limit, reseal, now) =>
      attempt(() =>
        db.transaction((tx) => {
          const rows = tx
            .select({ id: walletPool.id, publicKey: walletPool.publicKey, encryptedSecret: walletPool.encryptedSecret })
            .from(walletPool)
            .where(afterId === undefined ? undefined : gt(walletPool.id, afterId))
            .orderBy(asc(walletPool.id))
            .limit(limit)
            .all() as Array<Pick<WalletRow, "id" | "publicKey" | "encryptedSecret">>
          let updated = 0
          for (const r of rows) {
            const next = reseal(r)
            if (next === undefined) continue
            const res = tx.update(walletPool).set({ encryptedSecret: next, rotatedAt: now }).where(and(eq(walletPool.id, r.id), eq(walletPool.encryptedSecret, r.encryptedSecret))).returning({ id: walletPool.id }).all()
            updated += res.length
          }
          return { scanned: rows.length, updated, lastId: rows.at(-1)?.id }
        }, { behavior: "immediate" }),
      ),
  }
}

// Wallets on Postgres: one implementation per dialect because assignment
// locks rows (FOR UPDATE on the key, then on the candidate wallets), which
// SQLite does with BEGIN IMMEDIATE instead (sqlite.ts).
import { and, asc, eq, gt, inArray, sql } from "drizzle-orm"
import type { PgDb } from "../../platform/db/database"
import { apiKeys, walletPool } from "../../platform/db/schema.pg"
import { attempt } from "../attempt"
import type { SqlPort } from "../port"
import { walletsCommon } from "./common"
import { payingStatuses, walletEnvironmentOf, type Assignment, type WalletRow, type WalletsRepo } from "./repo"

const row = (r: typeof walletPool.$inferSelect): WalletRow => r as WalletRow

export const pgWallets = (db: PgDb, port: SqlPort): Omit<WalletsRepo, "writes"> => ({
  ...walletsCommon(port),
  findById: (id) => attempt(async () => {
    const r = (await db.select().from(walletPool).where(eq(walletPool.id, id)).limit(1))[0]
    return r && row(r)
  }),
  // Locks the key row (two assigners of one key serialize), then every active
  // wallet row in id order, and picks the minimum in memory. Under READ
  // COMMITTED a blocked `FOR UPDATE` re-reads the rows it waited for, so the
  // counts it compares are the committed ones; `ORDER BY ... LIMIT 1 FOR
  // UPDATE` would not re-sort after waiting and could overfill one wallet.
  // Assignment happens once per key, so serialising it costs nothing.
  assign: (keyId) =>
    attempt(() =>
      db.transaction(async (tx): Promise<Assignment> => {
        const key = (await tx.select({ walletId: apiKeys.walletId, environment: apiKeys.environment }).from(apiKeys).where(eq(apiKeys.id, keyId)).for("update"))[0]
        if (!key) return { kind: "no_key" }
        const environment = walletEnvironmentOf(key.environment)
        let previous: string | undefined
        if (key.walletId !== null) {
          const w = (await tx.select().from(walletPool).where(eq(walletPool.id, key.walletId)))[0]
          if (!w) return { kind: "no_wallet" }
          if (w.environment === environment) return { kind: "existing", wallet: row(w) }
          previous = w.id
        }
        const candidates = await tx
          .select({ id: walletPool.id, assignedKeyCount: walletPool.assignedKeyCount, status: walletPool.status })
          .from(walletPool)
          .where(and(inArray(walletPool.status, [...payingStatuses]), eq(walletPool.environment, environment)))
          .orderBy(asc(walletPool.id))
          .for("update")
        let pick: (typeof candidates)[number] | undefined
        // Active wallets before low_balance ones, then fewest keys; ids ascend, so the first of equals wins.
        const rank = (c: (typeof candidates)[number]) => [c.status === "active" ? 0 : 1, c.assignedKeyCount] as const
        for (const c of candidates) {
          if (pick === undefined) pick = c
          else {
            const [a, b] = [rank(c), rank(pick)]
            if (a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])) pick = c
          }
        }
        if (!pick) return { kind: "no_wallet" }
        // The key leaves a wallet of the other environment only now that it has one of its own.
        if (previous !== undefined) await tx.update(walletPool).set({ assignedKeyCount: sql`greatest(${walletPool.assignedKeyCount} - 1, 0)` }).where(eq(walletPool.id, previous))
        const [w] = await tx.update(walletPool).set({ assignedKeyCount: sql`${walletPool.assignedKeyCount} + 1` }).where(eq(walletPool.id, pick.id)).returning()
        await tx.update(apiKeys).set({ walletId: pick.id }).where(eq(apiKeys.id, keyId))
        return { kind: "assigned", wallet: row(w!) }
      }),
    ),
  resealBatch: (afterId, limit, reseal, now) =>
    attempt(() =>
      db.transaction(async (tx) => {
        const rows = (await tx
          .select({ id: walletPool.id, publicKey: walletPool.publicKey, encryptedSecret: walletPool.encryptedSecret })
          .from(walletPool)
          .where(afterId === undefined ? undefined : gt(walletPool.id, afterId))
          .orderBy(asc(walletPool.id))
          .limit(limit)
          .for("update")) as Array<Pick<WalletRow, "id" | "publicKey" | "encryptedSecret">>
        let updated = 0
        for (const r of rows) {
          const next = reseal(r)
          if (next === undefined) continue
          const res = await tx.update(walletPool).set({ encryptedSecret: next, rotatedAt: now }).where(and(eq(walletPool.id, r.id), eq(walletPool.encryptedSecret, r.encryptedSecret))).returning({ id: walletPool.id })
          updated += res.length
        }
        return { scanned: rows.length, updated, lastId: rows.at(-1)?.id }
      }),
    ),
})

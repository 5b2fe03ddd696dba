// The wallet pool's queries that take no lock, written once over the dialect
// port. Assignment and resealing lock rows, which the dialects do each their
// own way (sqlite.ts, pg.ts).
import { and, asc, desc, eq, gt, inArray, ne, sql } from "drizzle-orm"
import { Effect } from "effect"
import type { SqlPort } from "../port"
import { payingStatuses, type BalanceReading, type WalletRow, type WalletsRepo } from "./repo"

/** Active wallets before low_balance ones (the pool's payers, in order of preference). */
export const activeFirst = (w: SqlPort["t"]["walletPool"]) => sql`case when ${w.status} = 'active' then 0 else 1 end`

export type WalletsCommon = Omit<WalletsRepo, "findById" | "assign" | "resealBatch" | "writes">

export const walletsCommon = ({ db, t, all, first, run }: SqlPort): WalletsCommon => {
  const w = t.walletPool
  const rows = Effect.map((r: ReadonlyArray<typeof w.$inferSelect>) => r as ReadonlyArray<WalletRow>)
  return {
    insert: (wallets) => (wallets.length === 0 ? Effect.void : run(db.insert(w).values([...wallets]))),
    list: () => all(db.select().from(w).orderBy(asc(w.id))).pipe(rows),
    page: (limit, after) => all(db.select().from(w).where(after === undefined ? undefined : gt(w.id, after)).orderBy(asc(w.id)).limit(limit)).pipe(rows),
    recordBalance: (id, r: BalanceReading) =>
      run(
        db
          .update(w)
          .set({
            usdcBalance: r.usdcBalance,
            lamports: r.lamports,
            lastBalanceCheckAt: r.checkedAt,
            lastBalanceError: null,
            // A retired wallet keeps its status whatever its balance: retiring is the operator's decision.
            status: sql<string>`case when ${w.status} = 'retired' then 'retired' else ${r.status} end`,
          })
          .where(eq(w.id, id)),
      ),
    recordBalanceError: (id, error) => run(db.update(w).set({ lastBalanceError: error }).where(eq(w.id, id))),
    mostFunded: (excludeId, environment) =>
      first(db.select().from(w).where(and(inArray(w.status, [...payingStatuses]), eq(w.environment, environment), ne(w.id, excludeId))).orderBy(activeFirst(w), desc(w.usdcBalance), asc(w.id)).limit(1)).pipe(
        Effect.map((r) => r as WalletRow | undefined),
      ),
    updateSecret: (id, expected, next, now) =>
      all(db.update(w).set({ encryptedSecret: next, rotatedAt: now }).where(and(eq(w.id, id), eq(w.encryptedSecret, expected))).returning({ id: w.id })).pipe(Effect.map((r) => r.length === 1)),
  }
}

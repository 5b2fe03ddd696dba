// The wallet pool's queries that take no lock, written once over the dialect
// port. Assignment and resealing lock rows, which the dialects do each their
// own way (sqlite.ts, pg.ts).
import { and, asc, count, desc, eq, exists, gt, inArray, isNull, ne, sql } from "drizzle-orm"
import { Effect } from "effect"
import type { SqlPort } from "../port"
import { payingStatuses, type BalanceReading, type WalletRow, type WalletsRepo } from "./repo"

/** Active wallets before low_balance ones (the pool's payers, in order of preference). */
export const activeFirst = (w: SqlPort["t"]["walletPool"]) => sql`case when ${w.status} = 'active' then 0 else 1 end`

export type WalletsCommon = Omit<WalletsRepo, "findById" | "assign" | "resealBatch" | "writes">

export const walletsCommon = ({ db, t, all, first, run, transaction, onDialect }: SqlPort): WalletsCommon => {
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
    retire: (oldId, newId, now, storageAgentIds) =>
      transaction((tx) =>
        Effect.gen(function* () {
          // Built on the transaction's own builder: on Postgres a builder runs on the connection it came from.
          const q = tx.db
          const k = tx.t.apiKeys
          const wp = tx.t.walletPool
          // Keys before wallets: the order `assign` takes its row locks in (pg.ts), so the two never deadlock.
          yield* onDialect({ sqlite: () => Effect.void, postgres: () => tx.run(sql`select id from api_keys where wallet_id = ${oldId} order by id for update`) })
          const retired = yield* tx.all(
            q.update(wp).set({ status: "retired", retiredAt: now, rotatedAt: now, replacedBy: newId, assignedKeyCount: 0 }).where(and(eq(wp.id, oldId), ne(wp.status, "retired"))).returning({ id: wp.id }),
          )
          if (retired.length === 0) return { kind: "not_retirable" } as const
          if (storageAgentIds.length > 0) {
            const d = tx.t.usageAgentDays
            yield* tx.run(
              q
                .update(k)
                .set({ storageWalletId: oldId })
                .where(and(eq(k.walletId, oldId), isNull(k.storageWalletId), exists(q.select({ one: sql`1` }).from(d).where(and(eq(d.keyId, k.id), inArray(d.agentId, [...storageAgentIds])))))),
            )
          }
          const moved = yield* tx.all(q.update(k).set({ walletId: newId }).where(eq(k.walletId, oldId)).returning({ id: k.id }))
          yield* tx.run(q.update(wp).set({ assignedKeyCount: sql`${wp.assignedKeyCount} + ${moved.length}` }).where(eq(wp.id, newId)))
          const held = yield* tx.first(q.select({ n: count() }).from(k).where(eq(k.storageWalletId, oldId)))
          return { kind: "retired", movedKeys: moved.length, storageKeys: Number(held?.n ?? 0) } as const
        }),
      ),
    storageHolders: (ids) =>
      ids.length === 0
        ? Effect.succeed(new Map())
        : all(
            db
              .select({ id: t.apiKeys.storageWalletId, n: count() })
              .from(t.apiKeys)
              // A revoked key can never read its data again: it holds no wallet back from the sweep.
              .where(and(inArray(t.apiKeys.storageWalletId, [...ids]), ne(t.apiKeys.status, "revoked")))
              .groupBy(t.apiKeys.storageWalletId),
          ).pipe(
            Effect.map((rows) => new Map(rows.map((r) => [r.id!, Number(r.n)]))),
          ),
    recordSweep: (id, sweep) =>
      run(db.update(w).set(sweep.signature === undefined ? { sweptAt: sweep.sweptAt ?? null } : { sweepSignature: sweep.signature, sweptAt: sweep.sweptAt ?? null }).where(eq(w.id, id))),
    updateSecret: (id, expected, next, now) =>
      all(db.update(w).set({ encryptedSecret: next, rotatedAt: now }).where(and(eq(w.id, id), eq(w.encryptedSecret, expected))).returning({ id: w.id })).pipe(Effect.map((r) => r.length === 1)),
  }
}

// Keys on Postgres: one implementation per dialect because SQLite's hot path
// uses cached prepared statements (sqlite.ts); here the same reads go
// through drizzle, one round trip each.
import { and, asc, eq, getTableColumns, gt, sql } from "drizzle-orm"
import type { PgDb } from "../../platform/db/database"
import { apiKeys, usagePeriods, users } from "../../platform/db/schema.pg"
import { attempt } from "../attempt"
import type { KeysRepo } from "./repo"

// Only the verifier's lookup reads the storage namespace (see KeyRow).
const { storageNamespace: _namespace, ...keyRow } = getTableColumns(apiKeys)

const first = <A>(rows: ReadonlyArray<A>): A | undefined => rows[0]
const withOwner = (r: { key: typeof apiKeys.$inferSelect; card: number | null } | undefined) => r && { ...r.key, ownerCardVerifiedAt: r.card }

export const pgKeys = (db: PgDb): KeysRepo => ({
  insert: (key) => attempt(async () => void (await db.insert(apiKeys).values(key))),
  findByHash: (hash, now) =>
    attempt(async () =>
      withOwner(first(await db.select({ key: apiKeys, card: users.cardVerifiedAt }).from(apiKeys).innerJoin(users, eq(users.id, apiKeys.userId)).where(eq(apiKeys.keyHash, hash)).limit(1))) ??
      withOwner(
        first(
          await db
            .select({ key: apiKeys, card: users.cardVerifiedAt })
            .from(apiKeys)
            .innerJoin(users, eq(users.id, apiKeys.userId))
            .where(and(eq(apiKeys.previousKeyHash, hash), gt(apiKeys.previousKeyGraceUntil, now)))
            .limit(1),
        ),
      ),
    ),
  findById: (id) => attempt(async () => first(await db.select(keyRow).from(apiKeys).where(eq(apiKeys.id, id)).limit(1))),
  listByUser: (userId, period) =>
    attempt(async () =>
      (
        await db
          .select({ key: keyRow, ops: usagePeriods.ops })
          .from(apiKeys)
          .leftJoin(usagePeriods, and(eq(usagePeriods.keyId, apiKeys.id), eq(usagePeriods.period, period)))
          .where(eq(apiKeys.userId, userId))
          .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id))
      ).map((r) => ({ ...r.key, opsThisMonth: r.ops ?? 0 })),
    ),
  listAll: ({ limit, after }) =>
    attempt(() => db.select(keyRow).from(apiKeys).where(after ? gt(apiKeys.id, after) : undefined).orderBy(asc(apiKeys.id)).limit(limit)),
  roll: (id, next) =>
    attempt(async () =>
      first(
        await db
          .update(apiKeys)
          .set({
            previousKeyHash: next.graceUntil === null ? null : sql`${apiKeys.keyHash}`,
            previousKeyGraceUntil: next.graceUntil,
            keyHash: next.keyHash,
            prefix: next.prefix,
          })
          .where(and(eq(apiKeys.id, id), eq(apiKeys.status, "active")))
          .returning(keyRow),
      ),
    ),
  revoke: (id, now) =>
    attempt(async () =>
      first(
        await db
          .update(apiKeys)
          .set({ status: "revoked", revokedAt: now, previousKeyHash: null, previousKeyGraceUntil: null })
          .where(eq(apiKeys.id, id))
          .returning(keyRow),
      ),
    ),
  update: (id, patch) => attempt(async () => first(await db.update(apiKeys).set(patch).where(eq(apiKeys.id, id)).returning(keyRow))),
  touchLastUsed: (id, now) => attempt(async () => void (await db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, id)))),
})

import { and, asc, eq, gt, sql } from "drizzle-orm"
import type { SqliteDb } from "../../platform/db/database"
import { apiKeys, usagePeriods, users } from "../../platform/db/schema.sqlite"
import { attempt } from "../tx"
import type { KeysRepo } from "./repo"

const withOwner = (r: { key: typeof apiKeys.$inferSelect; card: number | null } | undefined) => r && { ...r.key, ownerCardVerifiedAt: r.card }

export const sqliteKeys = (db: SqliteDb): KeysRepo => ({
  insert: (key) => attempt(() => void db.insert(apiKeys).values(key).run()),
  findByHash: (hash, now) =>
    attempt(
      () =>
        withOwner(db.select({ key: apiKeys, card: users.cardVerifiedAt }).from(apiKeys).innerJoin(users, eq(users.id, apiKeys.userId)).where(eq(apiKeys.keyHash, hash)).get()) ??
        withOwner(
          db
            .select({ key: apiKeys, card: users.cardVerifiedAt })
            .from(apiKeys)
            .innerJoin(users, eq(users.id, apiKeys.userId))
            .where(and(eq(apiKeys.previousKeyHash, hash), gt(apiKeys.previousKeyGraceUntil, now)))
            .get(),
        ),
    ),
  findById: (id) => attempt(() => db.select().from(apiKeys).where(eq(apiKeys.id, id)).get()),
  listByUser: (userId, period) =>
    attempt(() =>
      db
        .select({ key: apiKeys, ops: usagePeriods.ops })
        .from(apiKeys)
        .leftJoin(usagePeriods, and(eq(usagePeriods.keyId, apiKeys.id), eq(usagePeriods.period, period)))
        .where(eq(apiKeys.userId, userId))
        .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id))
        .all()
        .map((r) => ({ ...r.key, opsThisMonth: r.ops ?? 0 })),
    ),
  listAll: ({ limit, after }) =>
    attempt(() =>
      db.select().from(apiKeys).where(after ? gt(apiKeys.id, after) : undefined).orderBy(asc(apiKeys.id)).limit(limit).all(),
    ),
  roll: (id, next) =>
    attempt(() =>
      db
        .update(apiKeys)
        .set({
          previousKeyHash: next.graceUntil === null ? null : sql`${apiKeys.keyHash}`,
          previousKeyGraceUntil: next.graceUntil,
          keyHash: next.keyHash,
          prefix: next.prefix,
        })
        .where(and(eq(apiKeys.id, id), eq(apiKeys.status, "active")))
        .returning()
        .get(),
    ),
  revoke: (id, now) =>
    attempt(() =>
      db
        .update(apiKeys)
        .set({ status: "revoked", revokedAt: now, previousKeyHash: null, previousKeyGraceUntil: null })
        .where(eq(apiKeys.id, id))
        .returning()
        .get(),
    ),
  update: (id, patch) => attempt(() => db.update(apiKeys).set(patch).where(eq(apiKeys.id, id)).returning().get()),
  touchLastUsed: (id, now) => attempt(() => void db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, id)).run()),
})

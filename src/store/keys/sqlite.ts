// Keys on SQLite: one implementation per dialect because key verification is
// on every request's path, and here it is a cached bun:sqlite prepared
// statement with columns aliased to the row's fields (no drizzle on the hot
// path); Postgres runs the same read through drizzle (pg.ts).
import { and, asc, eq, getTableColumns, gt, sql } from "drizzle-orm"
import type { SqliteDb } from "../../platform/db/database"
import { apiKeys, usagePeriods } from "../../platform/db/schema.sqlite"
import { attempt } from "../attempt"
import type { KeysRepo, VerifiedKeyRow } from "./repo"

// The by-hash reads run on every uncached request. Building them with drizzle
// costs ~60 µs a call; bun:sqlite's cached statement about 2 µs (`bun run
// bench keys`). Its cache is finalised when the database closes, so a closed
// database still fails the read. Columns are aliased to KeyRow's field names;
// every api_keys column is text or integer, so no value needs mapping.
// The owner's card status rides along so REQUIRE_CARD_FOR_FREE costs no extra read,
// and the storage namespace so a storage call costs none either.
const keyColumns = Object.entries(getTableColumns(apiKeys))
  .map(([field, column]) => `"api_keys"."${column.name}" as "${field}"`)
  .join(", ")
const verifiedKey = `select ${keyColumns}, "users"."card_verified_at" as "ownerCardVerifiedAt" from "api_keys" join "users" on "users"."id" = "api_keys"."user_id"`
const byCurrentHash = `${verifiedKey} where "api_keys"."key_hash" = ?`
const byPreviousHash = `${verifiedKey} where "api_keys"."previous_key_hash" = ? and "api_keys"."previous_key_grace_until" > ? limit 1`
// Every other read leaves the storage namespace out (see KeyRow).
const { storageNamespace: _namespace, ...keyRow } = getTableColumns(apiKeys)

export const sqliteKeys = (db: SqliteDb): KeysRepo => ({
  insert: (key) => attempt(() => void db.insert(apiKeys).values(key).run()),
  findByHash: (hash, now) =>
    attempt(
      () =>
        db.$client.query<VerifiedKeyRow, [string]>(byCurrentHash).get(hash) ??
        db.$client.query<VerifiedKeyRow, [string, number]>(byPreviousHash).get(hash, now) ??
        undefined,
    ),
  findById: (id) => attempt(() => db.select(keyRow).from(apiKeys).where(eq(apiKeys.id, id)).get()),
  listByUser: (userId, period) =>
    attempt(() =>
      db
        .select({ key: keyRow, ops: usagePeriods.ops })
        .from(apiKeys)
        .leftJoin(usagePeriods, and(eq(usagePeriods.keyId, apiKeys.id), eq(usagePeriods.period, period)))
        .where(eq(apiKeys.userId, userId))
        .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id))
        .all()
        .map((r) => ({ ...r.key, opsThisMonth: r.ops ?? 0 })),
    ),
  listAll: ({ limit, after }) =>
    attempt(() =>
      db.select(keyRow).from(apiKeys).where(after ? gt(apiKeys.id, after) : undefined).orderBy(asc(apiKeys.id)).limit(limit).all(),
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
        .returning(keyRow)
        .get(),
    ),
  revoke: (id, now) =>
    attempt(() =>
      db
        .update(apiKeys)
        .set({ status: "revoked", revokedAt: now, previousKeyHash: null, previousKeyGraceUntil: null })
        .where(eq(apiKeys.id, id))
        .returning(keyRow)
        .get(),
    ),
  update: (id, patch) => attempt(() => db.update(apiKeys).set(patch).where(eq(apiKeys.id, id)).returning(keyRow).get()),
  touchLastUsed: (id, now) => attempt(() => void db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, id)).run()),
})

import { and, asc, eq, getTableColumns, gt, sql } from "drizzle-orm"
import type { SqliteDb } from "../../platform/db/database"
import { apiKeys, usagePeriods } from "../../platform/db/schema.sqlite"
import { attempt } from "../tx"
import type { KeyRow, KeysRepo } from "./repo"

// The by-hash reads run on every uncached request. Building them with drizzle
// costs ~60 µs a call; bun:sqlite's cached statement about 2 µs (`bun run
// bench keys`). Its cache is finalised when the database closes, so a closed
// database still fails the read. Columns are aliased to KeyRow's field names;
// every api_keys column is text or integer, so no value needs mapping.
const keyColumns = Object.entries(getTableColumns(apiKeys))
  .map(([field, column]) => `"${column.name}" as "${field}"`)
  .join(", ")
const byCurrentHash = `select ${keyColumns} from "api_keys" where "key_hash" = ?`
const byPreviousHash = `select ${keyColumns} from "api_keys" where "previous_key_hash" = ? and "previous_key_grace_until" > ? limit 1`

export const sqliteKeys = (db: SqliteDb): KeysRepo => ({
  insert: (key) => attempt(() => void db.insert(apiKeys).values(key).run()),
  findByHash: (hash, now) =>
    attempt(
      () =>
        db.$client.query<KeyRow, [string]>(byCurrentHash).get(hash) ??
        db.$client.query<KeyRow, [string, number]>(byPreviousHash).get(hash, now) ??
        undefined,
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

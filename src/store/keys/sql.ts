// Keys over the dialect port: one implementation for both databases. The one
// real difference is the by-hash lookup on every uncached request: on SQLite
// it is a cached bun:sqlite statement (~2 µs against ~60 µs for building it
// with drizzle, `bun run bench keys`); Postgres builds it, one round trip.
import { and, asc, eq, getTableColumns, gt, sql } from "drizzle-orm"
import { Effect } from "effect"
import { apiKeys as sqliteApiKeys } from "../../platform/db/schema.sqlite"
import { attempt } from "../attempt"
import type { SqlPort } from "../port"
import type { KeysRepo, VerifiedKeyRow } from "./repo"

// Columns aliased to the row's field names; every api_keys column is text or
// integer, so no value needs mapping. The owner's card status rides along so
// REQUIRE_CARD_FOR_FREE costs no extra read, and the storage namespace so a
// storage call costs none either. The statement cache is finalised when the
// database closes, so a closed database still fails the read.
const keyColumns = Object.entries(getTableColumns(sqliteApiKeys))
  .map(([field, column]) => `"api_keys"."${column.name}" as "${field}"`)
  .join(", ")
const verifiedKey = `select ${keyColumns}, "users"."card_verified_at" as "ownerCardVerifiedAt" from "api_keys" join "users" on "users"."id" = "api_keys"."user_id"`
const byCurrentHash = `${verifiedKey} where "api_keys"."key_hash" = ?`
const byPreviousHash = `${verifiedKey} where "api_keys"."previous_key_hash" = ? and "api_keys"."previous_key_grace_until" > ? limit 1`

export const sqlKeys = ({ db, t, all, first, run, onDialect }: SqlPort): KeysRepo => {
  const k = t.apiKeys
  // Every read but the verifier's leaves the storage namespace out (see KeyRow).
  const { storageNamespace: _namespace, ...keyRow } = getTableColumns(k)
  const verified = (where: ReturnType<typeof eq>) =>
    first<{ key: VerifiedKeyRow; card: number | null }>(db.select({ key: k, card: t.users.cardVerifiedAt }).from(k).innerJoin(t.users, eq(t.users.id, k.userId)).where(where).limit(1)).pipe(
      Effect.map((r) => r && { ...r.key, ownerCardVerifiedAt: r.card }),
    )
  return {
    insert: (key) => run(db.insert(k).values(key)),
    findByHash: (hash, now) =>
      onDialect({
        sqlite: () =>
          attempt(() => db.$client.query<VerifiedKeyRow, [string]>(byCurrentHash).get(hash) ?? db.$client.query<VerifiedKeyRow, [string, number]>(byPreviousHash).get(hash, now) ?? undefined),
        postgres: () =>
          verified(eq(k.keyHash, hash)).pipe(Effect.flatMap((current) => (current ? Effect.succeed(current) : verified(and(eq(k.previousKeyHash, hash), gt(k.previousKeyGraceUntil, now))!)))),
      }),
    findById: (id) => first(db.select(keyRow).from(k).where(eq(k.id, id)).limit(1)),
    listByUser: (userId, period) =>
      all(
        db
          .select({ key: keyRow, ops: t.usagePeriods.ops, spend: t.usagePeriods.spendMicroUsd })
          .from(k)
          .leftJoin(t.usagePeriods, and(eq(t.usagePeriods.keyId, k.id), eq(t.usagePeriods.period, period)))
          .where(eq(k.userId, userId))
          .orderBy(asc(k.createdAt), asc(k.id)),
      ).pipe(Effect.map((rows) => rows.map((r) => ({ ...r.key, opsThisMonth: r.ops ?? 0, spendThisMonthMicroUsd: Number(r.spend ?? 0) })))),
    listAll: ({ limit, after }) => all(db.select(keyRow).from(k).where(after ? gt(k.id, after) : undefined).orderBy(asc(k.id)).limit(limit)),
    roll: (id, next) =>
      first(
        db
          .update(k)
          .set({
            previousKeyHash: next.graceUntil === null ? null : sql`${k.keyHash}`,
            previousKeyGraceUntil: next.graceUntil,
            keyHash: next.keyHash,
            prefix: next.prefix,
          })
          .where(and(eq(k.id, id), eq(k.status, "active")))
          .returning(keyRow),
      ),
    revoke: (id, now) => first(db.update(k).set({ status: "revoked", revokedAt: now, previousKeyHash: null, previousKeyGraceUntil: null }).where(eq(k.id, id)).returning(keyRow)),
    update: (id, patch) => first(db.update(k).set(patch).where(eq(k.id, id)).returning(keyRow)),
    touchLastUsed: (id, now) => run(db.update(k).set({ lastUsedAt: now }).where(eq(k.id, id))),
    claimStorageWallet: (id) =>
      first(db.update(k).set({ storageWalletId: sql`coalesce(${k.storageWalletId}, ${k.walletId})` }).where(eq(k.id, id)).returning({ walletId: k.storageWalletId })).pipe(
        Effect.map((r) => r?.walletId ?? undefined),
      ),
  }
}

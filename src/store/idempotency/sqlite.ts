import { and, eq, lte } from "drizzle-orm"
import type { SqliteDb } from "../../platform/db/database"
import { idempotency } from "../../platform/db/schema.sqlite"
import { attempt } from "../tx"
import { decide } from "./decide"
import type { IdempotencyRepo } from "./repo"

const at = (scope: string, key: string) => and(eq(idempotency.scope, scope), eq(idempotency.key, key))

export const sqliteIdempotency = (db: SqliteDb): IdempotencyRepo => ({
  claim: (scope, key, requestHash, now, ttlMs) =>
    attempt(() =>
      db.transaction((tx) => {
        tx.delete(idempotency).where(and(at(scope, key), lte(idempotency.expiresAt, now))).run()
        const inserted = tx
          .insert(idempotency)
          .values({ scope, key, requestHash, state: "in_flight", createdAt: now, expiresAt: now + ttlMs })
          .onConflictDoNothing()
          .returning({ key: idempotency.key })
          .all()
        if (inserted.length === 1) return { kind: "claimed" as const }
        const row = tx.select().from(idempotency).where(at(scope, key)).get()
        return row ? decide(row, requestHash) : { kind: "in_flight" as const }
      }),
    ),
  complete: (scope, key, status, response) => attempt(() => void db.update(idempotency).set({ state: "done", status, response }).where(at(scope, key)).run()),
  release: (scope, key) => attempt(() => void db.delete(idempotency).where(and(at(scope, key), eq(idempotency.state, "in_flight"))).run()),
})

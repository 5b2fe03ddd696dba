import { and, eq, lte } from "drizzle-orm"
import type { PgDb } from "../../platform/db/database"
import { idempotency } from "../../platform/db/schema.pg"
import { attempt } from "../tx"
import { decide } from "./decide"
import type { IdempotencyRepo } from "./repo"

const at = (scope: string, key: string) => and(eq(idempotency.scope, scope), eq(idempotency.key, key))

export const pgIdempotency = (db: PgDb): IdempotencyRepo => ({
  claim: (scope, key, requestHash, now, ttlMs) =>
    attempt(async () => {
      await db.delete(idempotency).where(and(at(scope, key), lte(idempotency.expiresAt, now)))
      // The primary key makes the insert the arbiter between concurrent duplicates.
      const inserted = await db
        .insert(idempotency)
        .values({ scope, key, requestHash, state: "in_flight", createdAt: now, expiresAt: now + ttlMs })
        .onConflictDoNothing()
        .returning({ key: idempotency.key })
      if (inserted.length === 1) return { kind: "claimed" as const }
      const row = (await db.select().from(idempotency).where(at(scope, key)).limit(1))[0]
      return row ? decide(row, requestHash) : { kind: "in_flight" as const }
    }),
  complete: (scope, key, status, response) => attempt(async () => void (await db.update(idempotency).set({ state: "done", status, response }).where(at(scope, key)))),
  release: (scope, key) => attempt(async () => void (await db.delete(idempotency).where(and(at(scope, key), eq(idempotency.state, "in_flight"))))),
})

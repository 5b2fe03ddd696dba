// Idempotency keys over the dialect port. The primary key (scope, key) makes
// the insert the arbiter between concurrent duplicates on both databases.
import { and, eq, lte } from "drizzle-orm"
import { Effect } from "effect"
import type { SqlPort } from "../port"
import { decide } from "./decide"
import type { IdempotencyRepo } from "./repo"

export const sqlIdempotency = (port: SqlPort): IdempotencyRepo => {
  const { db, t, run } = port
  const at = (scope: string, key: string) => and(eq(t.idempotency.scope, scope), eq(t.idempotency.key, key))
  return {
    // No transaction: each statement is safe alone, and the hot path saves
    // Postgres two round trips.
    claim: (scope, key, requestHash, now, ttlMs) =>
      Effect.gen(function* () {
        yield* run(db.delete(t.idempotency).where(and(at(scope, key), lte(t.idempotency.expiresAt, now))))
        const inserted = yield* port.all(
          db
            .insert(t.idempotency)
            .values({ scope, key, requestHash, state: "in_flight", createdAt: now, expiresAt: now + ttlMs })
            .onConflictDoNothing()
            .returning({ key: t.idempotency.key }),
        )
        if (inserted.length === 1) return { kind: "claimed" as const }
        const row = yield* port.first(db.select().from(t.idempotency).where(at(scope, key)).limit(1))
        return row ? decide(row, requestHash) : { kind: "in_flight" as const }
      }),
    complete: (scope, key, status, response) => run(db.update(t.idempotency).set({ state: "done", status, response }).where(at(scope, key))),
    release: (scope, key) => run(db.delete(t.idempotency).where(and(at(scope, key), eq(t.idempotency.state, "in_flight")))),
  }
}

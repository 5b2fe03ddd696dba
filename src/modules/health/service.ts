import { Effect } from "effect"
import { Store } from "../../store/store"

/** Readiness: the database answers and every embedded migration is applied. */
export const readiness = Effect.fn("Health.readiness")(function* () {
  const store = yield* Store
  yield* store.health.ping()
  const migrations = yield* store.health.migrations()
  return {
    status: migrations.current ? ("ready" as const) : ("migrations_pending" as const),
    database: store.dialect,
    migrations: { applied: migrations.applied, expected: migrations.expected },
  }
})

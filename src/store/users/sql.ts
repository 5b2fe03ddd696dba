// Users over the dialect port. A unique email (or key hash) refused by the
// database is the answer "taken", not an outage.
import { and, asc, eq, gt, isNull } from "drizzle-orm"
import { Effect } from "effect"
import type { StoreUnavailable } from "../../platform/db/errors"
import type { SqlPort } from "../port"
import { isUniqueViolation } from "../attempt"
import type { UsersRepo } from "./repo"

/** false when the database refused a duplicate; the transaction (if any) rolled back. */
const unlessDuplicate = <E>(write: Effect.Effect<unknown, E | StoreUnavailable>) =>
  write.pipe(
    Effect.as(true),
    Effect.catchIf(
      (e): e is StoreUnavailable => (e as { _tag?: string })._tag === "StoreUnavailable" && isUniqueViolation((e as StoreUnavailable).cause),
      () => Effect.succeed(false),
    ),
  )

export const sqlUsers = (port: SqlPort): UsersRepo => {
  const { db, t, run, first, all } = port
  return {
    insert: (user) => unlessDuplicate(run(db.insert(t.users).values(user))),
    insertWithKey: (user, key) =>
      unlessDuplicate(
        port.transaction((tx) =>
          Effect.gen(function* () {
            yield* tx.run(tx.db.insert(tx.t.users).values(user))
            yield* tx.run(tx.db.insert(tx.t.apiKeys).values(key))
          }),
        ),
      ),
    list: ({ limit, after }) => all(db.select().from(t.users).where(after ? gt(t.users.id, after) : undefined).orderBy(asc(t.users.id)).limit(limit)),
    findByEmail: (email) => first(db.select().from(t.users).where(eq(t.users.email, email)).limit(1)),
    findById: (id) => first(db.select().from(t.users).where(eq(t.users.id, id)).limit(1)),
    findByStripeCustomer: (customerId) => first(db.select().from(t.users).where(eq(t.users.stripeCustomerId, customerId)).limit(1)),
    // The first customer id wins: a second writer reads the one already there.
    setStripeCustomerId: (userId, customerId) =>
      Effect.gen(function* () {
        yield* run(db.update(t.users).set({ stripeCustomerId: customerId }).where(and(eq(t.users.id, userId), isNull(t.users.stripeCustomerId))))
        return (yield* first(db.select({ c: t.users.stripeCustomerId }).from(t.users).where(eq(t.users.id, userId)).limit(1)))?.c ?? undefined
      }),
    setTier: (userId, tier) =>
      port.transaction((tx) =>
        Effect.gen(function* () {
          yield* tx.run(tx.db.update(tx.t.users).set({ tier }).where(eq(tx.t.users.id, userId)))
          const keys = yield* tx.all(tx.db.update(tx.t.apiKeys).set({ tier }).where(eq(tx.t.apiKeys.userId, userId)).returning({ id: tx.t.apiKeys.id }))
          return keys.map((r) => r.id)
        }),
      ),
  }
}

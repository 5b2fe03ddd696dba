import { and, asc, eq, gt, isNull } from "drizzle-orm"
import type { SqliteDb } from "../../platform/db/database"
import { apiKeys, users } from "../../platform/db/schema.sqlite"
import { attempt, isUniqueViolation } from "../tx"
import type { UsersRepo } from "./repo"

export const sqliteUsers = (db: SqliteDb): UsersRepo => ({
  insert: (user) =>
    attempt(() => {
      try {
        db.insert(users).values(user).run()
        return true
      } catch (e) {
        if (isUniqueViolation(e)) return false
        throw e
      }
    }),
  insertWithKey: (user, key) =>
    attempt(() => {
      try {
        db.transaction((tx) => {
          tx.insert(users).values(user).run()
          tx.insert(apiKeys).values(key).run()
        })
        return true
      } catch (e) {
        if (isUniqueViolation(e)) return false
        throw e
      }
    }),
  list: ({ limit, after }) => attempt(() => db.select().from(users).where(after ? gt(users.id, after) : undefined).orderBy(asc(users.id)).limit(limit).all()),
  findByEmail: (email) => attempt(() => db.select().from(users).where(eq(users.email, email)).get()),
  findById: (id) => attempt(() => db.select().from(users).where(eq(users.id, id)).get()),
  findByStripeCustomer: (customerId) => attempt(() => db.select().from(users).where(eq(users.stripeCustomerId, customerId)).get()),
  setStripeCustomerId: (userId, customerId) =>
    attempt(() => {
      db.update(users).set({ stripeCustomerId: customerId }).where(and(eq(users.id, userId), isNull(users.stripeCustomerId))).run()
      return db.select({ c: users.stripeCustomerId }).from(users).where(eq(users.id, userId)).get()?.c ?? undefined
    }),
  setTier: (userId, tier) =>
    attempt(() =>
      db.transaction((tx) => {
        tx.update(users).set({ tier }).where(eq(users.id, userId)).run()
        return tx.update(apiKeys).set({ tier }).where(eq(apiKeys.userId, userId)).returning({ id: apiKeys.id }).all().map((r) => r.id)
      }),
    ),
})

import { and, asc, eq, gt, isNull } from "drizzle-orm"
import type { PgDb } from "../../platform/db/database"
import { apiKeys, users } from "../../platform/db/schema.pg"
import { attempt, isUniqueViolation } from "../tx"
import type { UsersRepo } from "./repo"

export const pgUsers = (db: PgDb): UsersRepo => ({
  insert: (user) =>
    attempt(async () => {
      const rows = await db.insert(users).values(user).onConflictDoNothing().returning({ id: users.id })
      return rows.length === 1
    }),
  insertWithKey: (user, key) =>
    attempt(async () => {
      try {
        await db.transaction(async (tx) => {
          await tx.insert(users).values(user)
          await tx.insert(apiKeys).values(key)
        })
        return true
      } catch (e) {
        if (isUniqueViolation(e)) return false
        throw e
      }
    }),
  list: ({ limit, after }) => attempt(() => db.select().from(users).where(after ? gt(users.id, after) : undefined).orderBy(asc(users.id)).limit(limit)),
  findByEmail: (email) => attempt(async () => (await db.select().from(users).where(eq(users.email, email)).limit(1))[0]),
  findById: (id) => attempt(async () => (await db.select().from(users).where(eq(users.id, id)).limit(1))[0]),
  findByStripeCustomer: (customerId) => attempt(async () => (await db.select().from(users).where(eq(users.stripeCustomerId, customerId)).limit(1))[0]),
  setStripeCustomerId: (userId, customerId) =>
    attempt(async () => {
      await db.update(users).set({ stripeCustomerId: customerId }).where(and(eq(users.id, userId), isNull(users.stripeCustomerId)))
      return (await db.select({ c: users.stripeCustomerId }).from(users).where(eq(users.id, userId)).limit(1))[0]?.c ?? undefined
    }),
  setTier: (userId, tier) =>
    attempt(() =>
      db.transaction(async (tx) => {
        await tx.update(users).set({ tier }).where(eq(users.id, userId))
        return (await tx.update(apiKeys).set({ tier }).where(eq(apiKeys.userId, userId)).returning({ id: apiKeys.id })).map((r) => r.id)
      }),
    ),
})

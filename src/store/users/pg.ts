import { eq } from "drizzle-orm"
import type { PgDb } from "../../platform/db/database"
import { users } from "../../platform/db/schema.pg"
import { attempt } from "../tx"
import type { UsersRepo } from "./repo"

export const pgUsers = (db: PgDb): UsersRepo => ({
  insert: (user) =>
    attempt(async () => {
      const rows = await db.insert(users).values(user).onConflictDoNothing().returning({ id: users.id })
      return rows.length === 1
    }),
  findByEmail: (email) => attempt(async () => (await db.select().from(users).where(eq(users.email, email)).limit(1))[0]),
  findById: (id) => attempt(async () => (await db.select().from(users).where(eq(users.id, id)).limit(1))[0]),
})

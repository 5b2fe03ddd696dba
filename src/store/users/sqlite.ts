import { eq } from "drizzle-orm"
import type { SqliteDb } from "../../platform/db/database"
import { users } from "../../platform/db/schema.sqlite"
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
  findByEmail: (email) => attempt(() => db.select().from(users).where(eq(users.email, email)).get()),
  findById: (id) => attempt(() => db.select().from(users).where(eq(users.id, id)).get()),
})

import { and, eq, gt } from "drizzle-orm"
import type { SqliteDb } from "../../platform/db/database"
import { sessions } from "../../platform/db/schema.sqlite"
import { attempt } from "../tx"
import type { SessionsRepo } from "./repo"

export const sqliteSessions = (db: SqliteDb): SessionsRepo => ({
  insert: (session) => attempt(() => void db.insert(sessions).values(session).run()),
  findLive: (tokenHash, now) => attempt(() => db.select().from(sessions).where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, now))).get()),
  deleteByHash: (tokenHash) => attempt(() => void db.delete(sessions).where(eq(sessions.tokenHash, tokenHash)).run()),
})

import { and, eq, gt } from "drizzle-orm"
import type { PgDb } from "../../platform/db/database"
import { sessions } from "../../platform/db/schema.pg"
import { attempt } from "../tx"
import type { SessionsRepo } from "./repo"

export const pgSessions = (db: PgDb): SessionsRepo => ({
  insert: (session) => attempt(async () => void (await db.insert(sessions).values(session))),
  findLive: (tokenHash, now) =>
    attempt(async () => (await db.select().from(sessions).where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, now))).limit(1))[0]),
  deleteByHash: (tokenHash) => attempt(async () => void (await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash)))),
})

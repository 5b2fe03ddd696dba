// Sessions over the dialect port: one implementation for both databases.
import { and, eq, gt } from "drizzle-orm"
import type { SqlPort } from "../port"
import type { SessionsRepo } from "./repo"

export const sqlSessions = ({ db, t, run, first }: SqlPort): SessionsRepo => ({
  insert: (session) => run(db.insert(t.sessions).values(session)),
  findLive: (tokenHash, now) => first(db.select().from(t.sessions).where(and(eq(t.sessions.tokenHash, tokenHash), gt(t.sessions.expiresAt, now))).limit(1)),
  deleteByHash: (tokenHash) => run(db.delete(t.sessions).where(eq(t.sessions.tokenHash, tokenHash))),
})

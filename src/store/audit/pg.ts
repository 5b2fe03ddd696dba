import type { PgDb } from "../../platform/db/database"
import { attempt } from "../tx"
import type { AuditRepo } from "./repo"
import * as q from "./statements"

type Raw = Record<string, unknown>

export const pgAudit = (db: PgDb): AuditRepo => ({
  sharedSignatures: (r) => attempt(async () => q.toShared([...(await db.execute<Raw>(q.sharedSignaturesStatement(r)))])),
  sharedIntents: (r) => attempt(async () => q.toShared([...(await db.execute<Raw>(q.sharedIntentsStatement(r)))])),
  settledPage: (r, after, limit) => attempt(async () => q.toSettled([...(await db.execute<Raw>(q.settledPageStatement(r, after, limit)))])),
  counterMismatches: (r) => attempt(async () => q.toMismatches([...(await db.execute<Raw>(q.counterMismatchStatement(r)))])),
  failedSignedPage: (r, after, limit) => attempt(async () => q.toSettled([...(await db.execute<Raw>(q.failedSignedPageStatement(r, after, limit)))])),
  flagged: (r) => attempt(async () => q.toStripeRows([...(await db.execute<Raw>(q.flaggedStatement(r)))])),
  overdueReports: (r, before) => attempt(async () => q.toStripeRows([...(await db.execute<Raw>(q.overdueStatement(r, before)))])),
})

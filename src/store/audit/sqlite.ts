import type { SqliteDb } from "../../platform/db/database"
import { attempt } from "../tx"
import type { AuditRepo } from "./repo"
import * as q from "./statements"

type Raw = Record<string, unknown>

export const sqliteAudit = (db: SqliteDb): AuditRepo => ({
  sharedSignatures: (r) => attempt(() => q.toShared(db.all<Raw>(q.sharedSignaturesStatement(r)))),
  sharedIntents: (r) => attempt(() => q.toShared(db.all<Raw>(q.sharedIntentsStatement(r)))),
  settledPage: (r, after, limit) => attempt(() => q.toSettled(db.all<Raw>(q.settledPageStatement(r, after, limit)))),
  counterMismatches: (r) => attempt(() => q.toMismatches(db.all<Raw>(q.counterMismatchStatement(r)))),
  failedSignedPage: (r, after, limit) => attempt(() => q.toSettled(db.all<Raw>(q.failedSignedPageStatement(r, after, limit)))),
  flagged: (r) => attempt(() => q.toStripeRows(db.all<Raw>(q.flaggedStatement(r)))),
  overdueReports: (r, before) => attempt(() => q.toStripeRows(db.all<Raw>(q.overdueStatement(r, before)))),
})

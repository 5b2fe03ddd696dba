// The audit's reads over the dialect port; the statements are in statements.ts.
import { Effect } from "effect"
import type { SqlPort } from "../port"
import type { AuditRepo } from "./repo"
import * as q from "./statements"

export const sqlAudit = ({ all }: SqlPort): AuditRepo => ({
  sharedSignatures: (r) => Effect.map(all(q.sharedSignaturesStatement(r)), q.toShared),
  sharedIntents: (r) => Effect.map(all(q.sharedIntentsStatement(r)), q.toShared),
  settledPage: (r, after, limit) => Effect.map(all(q.settledPageStatement(r, after, limit)), q.toSettled),
  counterMismatches: (r) =>
    Effect.map(Effect.all([all(q.counterMismatchStatement(r)), all(q.agentDayMismatchStatement(r))]), ([month, days]) => [...q.toMismatches(month), ...q.toMismatches(days)]),
  billingCounterMismatches: (r) => Effect.map(all(q.billingCounterMismatchStatement(r)), q.toBillingMismatches),
  failedSignedPage: (r, after, limit) => Effect.map(all(q.failedSignedPageStatement(r, after, limit)), q.toSettled),
  flagged: (r) => Effect.map(all(q.flaggedStatement(r)), q.toStripeRows),
  overdueReports: (r, before) => Effect.map(all(q.overdueStatement(r, before)), q.toStripeRows),
})

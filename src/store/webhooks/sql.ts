// Developer webhooks over the dialect port. The (event, endpoint) unique
// index makes queuing an event idempotent; an attempt moves a row only while
// it is pending, so two deliverers never record one attempt twice.
import { and, asc, desc, eq, gt, gte, isNull, sql } from "drizzle-orm"
import { Effect } from "effect"
import type { SqlPort } from "../port"
import type { DeliveryRow, EndpointRow, WebhooksRepo } from "./repo"

type StoredEndpoint = { readonly id: string; readonly userId: string; readonly url: string; readonly secret: string; readonly events: string; readonly createdAt: number; readonly deletedAt: number | null }
const asEndpoint = (r: StoredEndpoint): EndpointRow => ({ id: r.id, userId: r.userId, url: r.url, secret: r.secret, events: JSON.parse(r.events) as Array<string>, createdAt: Number(r.createdAt) })
const asDelivery = (r: Record<string, unknown>): DeliveryRow => ({ ...(r as DeliveryRow), nextAttemptAt: Number(r.nextAttemptAt), createdAt: Number(r.createdAt) })

/** Deliveries due from one endpoint in one batch. */
const PER_ENDPOINT = 4

const fromColumns = (r: Record<string, unknown>): DeliveryRow => ({
  id: String(r.id),
  eventId: String(r.event_id),
  endpointId: String(r.endpoint_id),
  userId: String(r.user_id),
  type: String(r.type),
  payload: String(r.payload),
  state: r.state as DeliveryRow["state"],
  attempts: Number(r.attempts),
  nextAttemptAt: Number(r.next_attempt_at),
  lastStatus: r.last_status === null || r.last_status === undefined ? null : Number(r.last_status),
  lastError: (r.last_error as string | null) ?? null,
  createdAt: Number(r.created_at),
})

export const sqlWebhooks = ({ db, t, all, first, run, transaction, onDialect }: SqlPort): WebhooksRepo => {
  const e = t.webhookEndpoints
  const d = t.webhookDeliveries
  return {
    secretsPage: (after, limit) => all(db.select({ id: e.id, secret: e.secret }).from(e).where(after === undefined ? undefined : gt(e.id, after)).orderBy(asc(e.id)).limit(limit)),
    replaceSecret: (id, expected, next) => Effect.map(all(db.update(e).set({ secret: next }).where(and(eq(e.id, id), eq(e.secret, expected))).returning({ id: e.id })), (r) => r.length === 1),
    createEndpoint: (row, limit) =>
      transaction((tx) =>
        Effect.gen(function* () {
          const we = tx.t.webhookEndpoints
          yield* onDialect({ sqlite: () => Effect.void, postgres: () => tx.run(sql`select id from users where id = ${row.userId} for update`) })
          const [live] = yield* tx.all<{ n: number }>(tx.db.select({ n: sql<number>`count(*)` }).from(we).where(and(eq(we.userId, row.userId), isNull(we.deletedAt))))
          if (Number(live?.n ?? 0) >= limit) return false
          yield* tx.run(tx.db.insert(we).values({ ...row, events: JSON.stringify(row.events), deletedAt: null }))
          return true
        }),
      ),
    endpoints: (userId) => Effect.map(all<StoredEndpoint>(db.select().from(e).where(and(eq(e.userId, userId), isNull(e.deletedAt))).orderBy(asc(e.createdAt), asc(e.id))), (rows) => rows.map(asEndpoint)),
    endpoint: (id) => Effect.map(first<StoredEndpoint>(db.select().from(e).where(and(eq(e.id, id), isNull(e.deletedAt))).limit(1)), (r) => (r ? asEndpoint(r) : undefined)),
    deleteEndpoint: (userId, id, now) =>
      Effect.gen(function* () {
        const gone = yield* all(db.update(e).set({ deletedAt: now }).where(and(eq(e.id, id), eq(e.userId, userId), isNull(e.deletedAt))).returning({ id: e.id }))
        if (gone.length === 0) return false
        yield* run(db.update(d).set({ state: "failed", lastError: "endpoint deleted" }).where(and(eq(d.endpointId, id), eq(d.state, "pending"))))
        return true
      }),
    enqueue: (deliveries) =>
      deliveries.length === 0 ? Effect.void : run(db.insert(d).values(deliveries.map((x) => ({ ...x, state: "pending", attempts: 0, lastStatus: null, lastError: null }))).onConflictDoNothing()),
    // At most a few rows per endpoint in one batch, so an endpoint with a
    // backlog (or one that never answers) cannot hold everyone else's back.
    due: (now, limit) =>
      Effect.map(
        all<Record<string, unknown>>(sql`
          select * from (
            select *, row_number() over (partition by endpoint_id order by next_attempt_at, id) as rn
            from webhook_deliveries where state = 'pending' and next_attempt_at <= ${now}
          ) due where rn <= ${PER_ENDPOINT} order by next_attempt_at, id limit ${limit}`),
        (rows) => rows.map(fromColumns),
      ),
    attempted: (id, o) =>
      Effect.map(
        all(
          db
            .update(d)
            .set({ state: o.state, attempts: o.attempts, nextAttemptAt: o.nextAttemptAt, lastStatus: o.status, lastError: o.error, deliveredAt: o.state === "delivered" ? o.now : null })
            .where(and(eq(d.id, id), eq(d.state, "pending")))
            .returning({ id: d.id }),
        ),
        (r) => r.length === 1,
      ),
    prune: (before, limit) =>
      Effect.map(
        all<{ id: string }>(sql`delete from webhook_deliveries where id in (select id from webhook_deliveries where state <> 'pending' and created_at < ${before} limit ${limit}) returning id`),
        (r) => r.length,
      ),
    queuedSince: (endpointId, since) => Effect.map(all<{ n: number }>(db.select({ n: sql<number>`count(*)` }).from(d).where(and(eq(d.endpointId, endpointId), gte(d.createdAt, since)))), (r) => Number(r[0]?.n ?? 0)),
    deliveries: (endpointId, limit) => Effect.map(all(db.select().from(d).where(eq(d.endpointId, endpointId)).orderBy(desc(d.createdAt), desc(d.id)).limit(limit)), (rows) => rows.map(asDelivery)),
  }
}

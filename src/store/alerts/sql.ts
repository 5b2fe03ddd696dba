// Alerts over the dialect port. A start or a clear is one conditional
// statement, so two evaluators racing each other report a transition once.
import { and, desc, eq, gte, isNull, ne, or } from "drizzle-orm"
import { Effect } from "effect"
import type { SqlPort } from "../port"
import type { AlertRow, AlertState, AlertsRepo } from "./repo"

type Stored = { readonly id: string; readonly kind: string; readonly subject: string; readonly state: string; readonly detail: string; readonly startedAt: number; readonly clearedAt: number | null; readonly notifiedState: string | null }

const asAlert = (r: Stored): AlertRow => ({ ...r, state: r.state as AlertState, notifiedState: r.notifiedState as AlertState | null })

export const sqlAlerts = ({ db, t, all, run }: SqlPort): AlertsRepo => {
  const a = t.alerts
  const alerts = (query: Parameters<typeof all<Stored>>[0]) => Effect.map(all<Stored>(query), (rows) => rows.map(asAlert))
  return {
    firing: (kind) => alerts(db.select().from(a).where(and(eq(a.kind, kind), eq(a.state, "firing")))),
    fire: ({ id, kind, subject, detail, now }) =>
      Effect.gen(function* () {
        const started = yield* all(
          db
            .insert(a)
            .values({ id, kind, subject, state: "firing", detail, startedAt: now, clearedAt: null, notifiedState: null })
            .onConflictDoUpdate({ target: a.id, set: { state: "firing", detail, startedAt: now, clearedAt: null }, where: eq(a.state, "cleared") })
            .returning({ id: a.id }),
        )
        if (started.length === 1) return true
        yield* run(db.update(a).set({ detail }).where(and(eq(a.id, id), eq(a.state, "firing"))))
        return false
      }),
    clear: (id, now) =>
      Effect.map(all(db.update(a).set({ state: "cleared", clearedAt: now }).where(and(eq(a.id, id), eq(a.state, "firing"))).returning({ id: a.id })), (r) => r.length === 1),
    undelivered: (limit) => alerts(db.select().from(a).where(or(isNull(a.notifiedState), ne(a.notifiedState, a.state))).orderBy(a.startedAt).limit(limit)),
    delivered: (id, state) => run(db.update(a).set({ notifiedState: state }).where(and(eq(a.id, id), eq(a.state, state)))),
    list: (clearedSince) => alerts(db.select().from(a).where(or(eq(a.state, "firing"), gte(a.clearedAt, clearedSince))).orderBy(desc(a.startedAt)).limit(500)),
  }
}

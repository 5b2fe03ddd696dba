// Alerts: conditions become rows (store/alerts), each start and each clear is
// logged once and posted once to ALERT_WEBHOOK_URL, signed. A post that
// fails is retried at the next evaluation; nothing else waits for it.
import { Clock, Effect } from "effect"
import { AppConfig } from "../../platform/config/service"
import type { AlertRow } from "../../store/alerts/repo"
import { Store } from "../../store/store"
import type { AlertKind, Firing } from "./conditions"
import { SIGNATURE_HEADER, signatureOf } from "../../platform/signing"

const DELIVERY_TIMEOUT_MS = 5_000

export const alertId = (kind: AlertKind, subject: string) => `${kind}:${subject}`

/** Brings the alerts of `kind` to `firing`: new subjects start, subjects no longer firing clear. */
export const observe = Effect.fn("Alerts.observe")(function* (kind: AlertKind, firing: ReadonlyArray<Firing>) {
  const store = yield* Store
  const now = yield* Clock.currentTimeMillis
  const current = new Set<string>()
  for (const f of firing) {
    const id = alertId(kind, f.subject)
    current.add(id)
    if (yield* store.alerts.fire({ id, kind, subject: f.subject, detail: f.detail, now })) yield* Effect.logWarning("alert firing", { alert: id, kind, detail: f.detail })
  }
  for (const open of yield* store.alerts.firing(kind)) {
    if (current.has(open.id)) continue
    if (yield* store.alerts.clear(open.id, now)) yield* Effect.logInfo("alert cleared", { alert: open.id, kind })
  }
})

/** The webhook body: Slack shows `text`; `alert` is for machines. */
export const alertPayload = (a: AlertRow) => ({
  text: a.state === "firing" ? `:rotating_light: ${a.kind} firing: ${a.detail}` : `:white_check_mark: ${a.kind} cleared: ${a.detail}`,
  alert: {
    id: a.id,
    kind: a.kind,
    subject: a.subject,
    state: a.state,
    detail: a.detail,
    started_at: new Date(a.startedAt).toISOString(),
    cleared_at: a.clearedAt === null ? null : new Date(a.clearedAt).toISOString(),
  },
})

/** Posts every undelivered start and clear; without a webhook, the log was the delivery. */
export const deliver = Effect.fn("Alerts.deliver")(function* () {
  const config = yield* AppConfig
  const store = yield* Store
  const pending = yield* store.alerts.undelivered(100)
  // Side by side, so a webhook that hangs costs one timeout, not one per alert.
  yield* Effect.forEach(
    pending,
    (a) =>
      Effect.gen(function* () {
        if (config.alertWebhookUrl === undefined) return yield* store.alerts.delivered(a.id, a.state)
        const body = JSON.stringify(alertPayload(a))
        const now = yield* Clock.currentTimeMillis
        const headers: Record<string, string> = { "content-type": "application/json", ...(config.alertWebhookSecret ? { [SIGNATURE_HEADER]: signatureOf(config.alertWebhookSecret, body, Math.floor(now / 1000)) } : {}) }
        const url = config.alertWebhookUrl
        const status = yield* Effect.tryPromise({
          try: () => fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS) }).then((r) => r.status),
          catch: (e) => (e instanceof Error ? e.name : "error"),
        }).pipe(Effect.catch((reason) => Effect.as(Effect.logWarning("alert webhook unreachable; retried at the next evaluation", { alert: a.id, reason }), 0)))
        if (status >= 200 && status < 300) yield* store.alerts.delivered(a.id, a.state)
        else if (status !== 0) yield* Effect.logWarning("alert webhook refused; retried at the next evaluation", { alert: a.id, status })
      }),
    { concurrency: 8, discard: true },
  )
})

// The events developers can subscribe to, and how one is queued: an event is
// one JSON body, queued once per endpoint of its user that takes its type,
// under an id that says what it is about (so the same threshold of the same
// month is one event, however often it is reached again).
import { Clock, Effect } from "effect"
import { newId } from "../../platform/ids"
import { AppConfig } from "../../platform/config/service"
import { Store } from "../../store/store"

export const EVENT_TYPES = [
  "usage.quota_threshold",
  "usage.spend_cap_reached",
  "key.suspended",
  "key.reinstated",
  "key.rolled",
  "key.revoked",
  "billing.payment_failed",
] as const
export type EventType = (typeof EVENT_TYPES)[number]

export const isEventType = (type: string): type is EventType => (EVENT_TYPES as ReadonlyArray<string>).includes(type)

/** A key as events name it: never the secret. */
export const keyRef = (k: { readonly id: string; readonly name: string; readonly prefix: string }) => ({ id: k.id, name: k.name, prefix: k.prefix })

// Events this process queued lately: a refused call repeated a thousand times
// is one event, and a thousand skipped inserts (the unique index would refuse them anyway).
const recent = new Set<string>()
const RECENT_MAX = 10_000

/** E-mails one account gets in an hour, at most. */
export const EMAILS_PER_HOUR = 20

/**
 * Queues the event for the user's endpoints that take it. `eventId` names a
 * fact that happens once (a threshold of a month); without it every emission
 * is a new event. `at` dates it when it happened earlier than now. Failures are the caller's to ignore: an event is never
 * worth a developer's call.
 */
export const emit = Effect.fn("Webhooks.emit")(function* (userId: string, type: EventType, data: Record<string, unknown>, eventId?: string, at?: number) {
  const id = eventId ?? newId("evt", yield* Clock.currentTimeMillis)
  if (recent.has(id)) return
  const store = yield* Store
  const config = yield* AppConfig
  const endpoints = (yield* store.webhooks.endpoints(userId)).filter((e) => e.events.includes("*") || e.events.includes(type)).map((e) => e.id)
  const now = yield* Clock.currentTimeMillis
  // With SMTP configured, the account's e-mail is one more endpoint, for
  // every event, at most EMAILS_PER_HOUR: the address is the account's own
  // word, so a flood of events must not become a flood of mail to it.
  const mail = config.smtpUrl !== undefined && (yield* store.webhooks.queuedSince(emailEndpoint(userId), now - 3_600_000)) < EMAILS_PER_HOUR
  const targets = mail ? [...endpoints, emailEndpoint(userId)] : endpoints
  if (targets.length === 0) return
  // `created` is when the fact happened: an event queued late (a Stripe event's, after a redelivery) keeps its time.
  const payload = JSON.stringify({ id, object: "event", type, created: Math.floor((at ?? now) / 1000), data })
  yield* store.webhooks.enqueue(targets.map((endpointId) => ({ id: `${id}:${endpointId}`, eventId: id, endpointId, userId, type, payload, nextAttemptAt: now, createdAt: now })))
  // Remembered only once queued: an event that reached nobody is looked at
  // again, so an endpoint added later, through any instance, hears the next one.
  if (eventId) {
    if (recent.size >= RECENT_MAX) recent.clear()
    recent.add(id)
  }
})

/** Emits, logging instead of failing: the action that caused the event has happened. */
export const emitQuietly = (userId: string, type: EventType, data: Record<string, unknown>, eventId?: string) =>
  emit(userId, type, data, eventId).pipe(Effect.catchCause((cause) => Effect.logWarning("developer webhook event not queued", { type, user_id: userId, cause: String(cause).slice(0, 200) })))

/** The delivery target that is the user's e-mail address (SMTP_URL). */
export const emailEndpoint = (userId: string) => `email:${userId}`
export const isEmailEndpoint = (endpointId: string) => endpointId.startsWith("email:")

/** One event per key, month, quota and threshold: a quota raised mid-month is told again when the new one is reached. */
export const quotaEventId = (keyId: string, period: string, quota: number, threshold: 80 | 100) => `evt_quota_${keyId}_${period}_${quota}_${threshold}`

/** The quota thresholds a call crosses: the count this call reached, if it is one of them. */
export const quotaThresholdCrossed = (ops: number, quota: number | null): 80 | 100 | undefined => {
  if (quota === null || quota <= 0) return undefined
  if (ops === quota) return 100
  return ops === Math.ceil(quota * 0.8) && ops < quota ? 80 : undefined
}

import type { Effect } from "effect"
import type { StoreUnavailable } from "../../platform/db/errors"

export type EndpointRow = {
  readonly id: string
  readonly userId: string
  readonly url: string
  readonly secret: string
  /** Event types it takes; ["*"] for all. */
  readonly events: ReadonlyArray<string>
  readonly createdAt: number
}

export type DeliveryRow = {
  readonly id: string
  readonly eventId: string
  readonly endpointId: string
  readonly userId: string
  readonly type: string
  readonly payload: string
  readonly state: "pending" | "delivered" | "failed"
  readonly attempts: number
  readonly nextAttemptAt: number
  readonly lastStatus: number | null
  readonly lastError: string | null
  readonly createdAt: number
}

export type WebhooksRepo = {
  /**
   * Adds the endpoint unless the user already has `limit` (deleted ones aside):
   * false then. Counted and inserted under the user's row lock (Postgres) or
   * the write lock (SQLite), so concurrent creations never pass the limit.
   */
  readonly createEndpoint: (row: EndpointRow, limit: number) => Effect.Effect<boolean, StoreUnavailable>
  /** The user's endpoints that are not deleted, oldest first. */
  readonly endpoints: (userId: string) => Effect.Effect<ReadonlyArray<EndpointRow>, StoreUnavailable>
  readonly endpoint: (id: string) => Effect.Effect<EndpointRow | undefined, StoreUnavailable>
  /** Deletes the user's endpoint and drops its undelivered events; false when it is not theirs. */
  readonly deleteEndpoint: (userId: string, id: string, now: number) => Effect.Effect<boolean, StoreUnavailable>
  /** One pending delivery per endpoint; an event already queued for an endpoint is not queued again. */
  readonly enqueue: (deliveries: ReadonlyArray<Omit<DeliveryRow, "state" | "attempts" | "lastStatus" | "lastError">>) => Effect.Effect<void, StoreUnavailable>
  /** Pending deliveries due at `now`, oldest first. */
  readonly due: (now: number, limit: number) => Effect.Effect<ReadonlyArray<DeliveryRow>, StoreUnavailable>
  /** After an attempt: delivered, or back to pending at `nextAttemptAt`, or failed for good. Only a pending row moves. */
  readonly attempted: (id: string, outcome: { readonly state: DeliveryRow["state"]; readonly attempts: number; readonly nextAttemptAt: number; readonly status: number | null; readonly error: string | null; readonly now: number }) => Effect.Effect<boolean, StoreUnavailable>
  /** Drops up to `limit` delivered or failed rows queued before `before`; how many. */
  readonly prune: (before: number, limit: number) => Effect.Effect<number, StoreUnavailable>
  /** Deliveries queued for an endpoint since `since` (the e-mail rate limit). */
  readonly queuedSince: (endpointId: string, since: number) => Effect.Effect<number, StoreUnavailable>
  /** Up to `limit` endpoints' stored secrets (deleted ones too) after `after`, in id order: what master-key rotation reseals. */
  readonly secretsPage: (after: string | undefined, limit: number) => Effect.Effect<ReadonlyArray<{ readonly id: string; readonly secret: string }>, StoreUnavailable>
  /** Replaces a stored secret only if it still holds `expected` (compare-and-set). */
  readonly replaceSecret: (id: string, expected: string, next: string) => Effect.Effect<boolean, StoreUnavailable>
  /** An endpoint's recent deliveries, newest first. */
  readonly deliveries: (endpointId: string, limit: number) => Effect.Effect<ReadonlyArray<DeliveryRow>, StoreUnavailable>
}

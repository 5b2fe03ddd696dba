import type { Effect } from "effect"
import type { StoreUnavailable } from "../../platform/db/errors"

export type AlertState = "firing" | "cleared"

export type AlertRow = {
  readonly id: string
  readonly kind: string
  readonly subject: string
  readonly state: AlertState
  readonly detail: string
  readonly startedAt: number
  readonly clearedAt: number | null
  /** The state last delivered to the alert webhook; null before the first delivery. */
  readonly notifiedState: AlertState | null
}

export type AlertsRepo = {
  /** Every alert of a kind that is firing. */
  readonly firing: (kind: string) => Effect.Effect<ReadonlyArray<AlertRow>, StoreUnavailable>
  /** Starts (or restarts, if it had cleared) the alert; an alert already firing only takes the new detail. True when it started now. */
  readonly fire: (alert: { readonly id: string; readonly kind: string; readonly subject: string; readonly detail: string; readonly now: number }) => Effect.Effect<boolean, StoreUnavailable>
  /** Clears a firing alert; true when it cleared now. */
  readonly clear: (id: string, now: number) => Effect.Effect<boolean, StoreUnavailable>
  /** Alerts whose state has not been delivered yet. */
  readonly undelivered: (limit: number) => Effect.Effect<ReadonlyArray<AlertRow>, StoreUnavailable>
  /** Records that `state` was delivered, unless the alert has moved on since. */
  readonly delivered: (id: string, state: AlertState) => Effect.Effect<void, StoreUnavailable>
  /** Firing alerts, and those cleared since `clearedSince`, newest first. */
  readonly list: (clearedSince: number) => Effect.Effect<ReadonlyArray<AlertRow>, StoreUnavailable>
}

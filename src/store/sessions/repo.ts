import type { Effect } from "effect"
import type { StoreUnavailable } from "../../platform/db/errors"
import type { sessions } from "../../platform/db/schema.sqlite"

export type SessionRow = typeof sessions.$inferSelect

export interface SessionsRepo {
  readonly insert: (session: SessionRow) => Effect.Effect<void, StoreUnavailable>
  /** A session whose token hashes to `tokenHash` and has not expired at `now`. */
  readonly findLive: (tokenHash: string, now: number) => Effect.Effect<SessionRow | undefined, StoreUnavailable>
  readonly deleteByHash: (tokenHash: string) => Effect.Effect<void, StoreUnavailable>
}

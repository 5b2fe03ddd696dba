import { Effect } from "effect"
import type { DatabaseHandle } from "../../platform/db/database"
import { migrationStatus, ping, type MigrationStatus } from "../../platform/db/migrations"
import type { StoreUnavailable } from "../../platform/db/errors"
import { attempt } from "../attempt"

export interface HealthRepo {
  readonly ping: () => Effect.Effect<void, StoreUnavailable>
  readonly migrations: () => Effect.Effect<MigrationStatus, StoreUnavailable>
}

// Both dialects share this one: the handle already knows its kind.
export const healthRepo = (handle: DatabaseHandle): HealthRepo => ({
  ping: () => attempt(() => ping(handle)),
  migrations: () => attempt(() => migrationStatus(handle)),
})

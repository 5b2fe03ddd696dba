// A process that takes a job's SQLite lease and holds it until it is killed:
// prints "held" once it runs the job, "skipped" if another holds the lease.
// Usage: bun test/support/lease-child.ts <sqlite file> <job name>
import { Effect } from "effect"
import { openDatabase } from "../../src/platform/db/database"
import { withSqliteLease } from "../../src/platform/jobs/sqlite-lease"

const [path, name] = process.argv.slice(2)
const handle = openDatabase({ dialect: "sqlite", path: path! })
if (handle.kind !== "sqlite") throw new Error("sqlite expected")
const result = await Effect.runPromise(
  withSqliteLease(handle.client, name!, () => Effect.andThen(Effect.sync(() => console.log("held")), Effect.never)) as Effect.Effect<unknown>,
)
if (result === undefined) console.log("skipped")

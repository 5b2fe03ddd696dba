import { closeDatabase, openDatabase } from "../platform/db/database"
import { migrationStatus, runMigrations } from "../platform/db/migrations"
import type { Command } from "./commands"
import { loadConfigOrExit } from "./load-config"

export const migrateCommand: Command = {
  words: ["migrate"],
  summary: "Apply the embedded database migrations and exit",
  example: "DATABASE_URL=postgres://tdk@db/tdk tdk migrate",
  run: async () => {
    const config = loadConfigOrExit()
    const handle = openDatabase(config.database)
    try {
      await runMigrations(handle)
      const status = await migrationStatus(handle)
      console.log(`migrated ${handle.kind}: ${status.applied}/${status.expected} migrations applied`)
      return status.current ? 0 : 1
    } finally {
      await closeDatabase(handle)
    }
  },
}

import { defineConfig } from "drizzle-kit"

// SQLite migrations. Postgres has its own config (drizzle.pg.config.ts) so each
// dialect keeps its own generated history; run `bun run db:generate` for both.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/platform/db/schema.sqlite.ts",
  out: "./drizzle/sqlite",
})

// Writes src/platform/db/migrations.embedded.ts from drizzle/{sqlite,pg}, so the
// compiled binary carries its migrations (drizzle's folder migrator cannot read
// from inside it). Run after `drizzle-kit generate`; a test fails if they drift.
import { renderEmbeddedMigrations } from "../src/platform/db/embed"

const target = `${import.meta.dir}/../src/platform/db/migrations.embedded.ts`
await Bun.write(target, await renderEmbeddedMigrations(`${import.meta.dir}/../drizzle`))
console.log(`wrote ${target}`)

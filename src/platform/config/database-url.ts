// DATABASE_URL picks the store: `sqlite:<path>` (or `sqlite::memory:`) for the
// embedded default, `postgres://` / `postgresql://` for Postgres.
import type { Read } from "./parse"

export type DatabaseTarget =
  | { readonly dialect: "sqlite"; readonly path: string }
  | { readonly dialect: "postgres"; readonly url: string }

export const databaseUrl: Read<DatabaseTarget> = (raw) => {
  const v = raw.trim()
  if (v.startsWith("sqlite:")) {
    const path = v.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "")
    if (path.length > 0) return { ok: true, value: { dialect: "sqlite", path } }
  }
  if (/^postgres(ql)?:\/\/[^/]+/.test(v)) {
    try {
      new URL(v)
      return { ok: true, value: { dialect: "postgres", url: v } }
    } catch { /* falls through to the message */ }
  }
  return { ok: false, expected: "sqlite:<path>, sqlite::memory: or postgres://user:pass@host:port/db" }
}

/** The URL with any password replaced, for `config check` and logs. */
export const describeDatabase = (target: DatabaseTarget): string => {
  if (target.dialect === "sqlite") return `sqlite:${target.path}`
  const u = new URL(target.url)
  if (u.password) u.password = "***"
  return u.toString()
}

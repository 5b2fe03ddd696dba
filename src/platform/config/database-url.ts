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

/** A URL for display: user, password and every query value replaced (RPC and API URLs often carry a key there). */
export const withoutUrlCredentials = (value: string): string => {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value
  try {
    const u = new URL(value)
    if (u.username) u.username = "***"
    if (u.password) u.password = "***"
    for (const k of [...u.searchParams.keys()]) u.searchParams.set(k, "***")
    return u.toString().replace(/\/$/, "")
  } catch {
    return value
  }
}

/** The database target for `config check` and logs, credentials hidden. */
export const describeDatabase = (target: DatabaseTarget): string => (target.dialect === "sqlite" ? `sqlite:${target.path}` : withoutUrlCredentials(target.url))

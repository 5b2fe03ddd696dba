// The operator console signs in with ADMIN_TOKEN once and then holds a cookie
// that proves it did: an expiry and an HMAC of it keyed by the admin token.
// Every instance with the same token verifies it, nothing is stored, the
// token itself never reaches the browser, and changing ADMIN_TOKEN signs every
// console out.
import { createHmac } from "node:crypto"
import { tokenMatches } from "../admin/guard"

export const ADMIN_COOKIE = "tdk_console_admin"
export const ADMIN_SESSION_MS = 8 * 3_600_000

const mac = (adminToken: string, expiresAt: number) => createHmac("sha256", adminToken).update(`tdk console admin until ${expiresAt}`).digest("base64url")

export const adminCookieValue = (adminToken: string, expiresAt: number): string => `${expiresAt}.${mac(adminToken, expiresAt)}`

export const adminSessionValid = (adminToken: string, value: string | undefined, now: number): boolean => {
  const m = /^(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(value ?? "")
  if (!m) return false
  const expiresAt = Number(m[1])
  return expiresAt > now && tokenMatches(m[2], mac(adminToken, expiresAt))
}

/** The console's form token for an admin session: an HMAC of its cookie. */
export const adminCsrf = (adminToken: string, cookie: string): string => createHmac("sha256", adminToken).update(`tdk console admin form ${cookie}`).digest("base64url")

// Forms that act carry a token an attacker's page cannot know. Signed in, it
// is an HMAC of the session token (HttpOnly, never in a page) and so needs no
// storage; before sign-in it is a random value also set as a SameSite=Strict
// cookie (double submit). Either way the browser's Origin, when sent, must be
// this host's.
import { createHmac, randomBytes } from "node:crypto"
import { forwardedValue } from "../../platform/http/request-url"

export const CSRF_FIELD = "csrf"
export const PRE_SESSION_COOKIE = "tdk_csrf"

export const csrfForSession = (sessionToken: string): string => createHmac("sha256", sessionToken).update("tdk console form").digest("base64url")

export const newPreSessionToken = (): string => randomBytes(24).toString("base64url")

/**
 * The request came from this site's own pages. A browser that sends
 * Sec-Fetch-Site says so itself (behind any proxy); otherwise its Origin,
 * when sent, must name this host as the client saw it (the Host header, or
 * behind TRUST_PROXY the proxy's X-Forwarded-Host). No header at all is an
 * older browser's same-site form; the form token is the guard either way.
 */
export const sameOrigin = (request: Request, trustProxy = 0): boolean => {
  const site = request.headers.get("sec-fetch-site")
  if (site !== null) return site === "same-origin"
  const origin = request.headers.get("origin")
  if (origin === null) return true
  const host = forwardedValue(request, "x-forwarded-host", trustProxy) ?? request.headers.get("host")
  try {
    return host !== null && host !== undefined && new URL(origin).host === host
  } catch {
    return false
  }
}

export const cookieValue = (cookieHeader: string | null, name: string): string | undefined => {
  for (const part of (cookieHeader ?? "").split(";")) {
    const [k, ...rest] = part.trim().split("=")
    if (k === name) return rest.join("=")
  }
  return undefined
}

// What every console route shares: HTML answers with the console's headers,
// redirects after a form, the pre-session form token, and the page shown
// when the API refused (its problem's title and detail, never a stack).
import { CSRF_FIELD, PRE_SESSION_COOKIE, cookieValue, newPreSessionToken, sameOrigin } from "../csrf"
import { forwardedValue, urlOf, viaHttps } from "../../../platform/http/request-url"
import { tokenMatches } from "../../admin/guard"
import { html } from "../html"
import { consoleCsp, page, type Nav } from "../layout"
import type { ApiAnswer } from "../internal-api"

export const htmlHeaders = (extra: Record<string, string> = {}): Record<string, string> => ({
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": consoleCsp,
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
  ...extra,
})

export const htmlPage = (text: string, status = 200, extra: Record<string, string> = {}) => new Response(text, { status, headers: htmlHeaders(extra) })

export const redirect = (location: string, extra: Record<string, string> = {}) => new Response(null, { status: 303, headers: { location, "cache-control": "no-store", ...extra } })

/** A form token for a page shown before sign-in, and the cookie that holds its twin. */
export const preSession = (request: Request, trustProxy: number) => {
  const existing = cookieValue(request.headers.get("cookie"), PRE_SESSION_COOKIE)
  const token = existing && /^[A-Za-z0-9_-]{32}$/.test(existing) ? existing : newPreSessionToken()
  return { token, cookie: `${PRE_SESSION_COOKIE}=${token}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=3600${viaHttps(request, trustProxy) ? "; Secure" : ""}` }
}

export type Form = Record<string, string>

/** The form's fields, or undefined unless it came from this site with the right token. */
export const checkedForm = (request: Request, body: unknown, expected: string | undefined, trustProxy: number): Form | undefined => {
  const form = (typeof body === "object" && body !== null ? body : {}) as Form
  return sameOrigin(request, trustProxy) && expected !== undefined && tokenMatches(form[CSRF_FIELD], expected) ? form : undefined
}

export const preSessionFormOk = (request: Request, body: unknown, trustProxy: number): Form | undefined =>
  checkedForm(request, body, cookieValue(request.headers.get("cookie"), PRE_SESSION_COOKIE), trustProxy)

// A host as a Host header may carry it: a name or IPv4 address, or a bracketed IPv6 one, with an optional port.
const HOST = /^(?:[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?|\[[0-9a-f:.]{2,45}\])(?::\d{1,5})?$/i

/**
 * This site's origin as the client sees it, for snippets it copies: behind
 * TRUST_PROXY, the host and scheme the proxies forwarded (the same entries
 * the CSRF check and cookies believe); a forwarded host that is not a host
 * is not shown. The scheme is always the one the client used (viaHttps), so
 * a snippet never sends an API key over http behind a TLS proxy.
 */
export const publicOrigin = (request: Request, trustProxy: number): string => {
  const forwarded = forwardedValue(request, "x-forwarded-host", trustProxy)
  // No forwarded host (a proxy that passes Host through): the request's own host, with the scheme the client used.
  const host = forwarded !== undefined && HOST.test(forwarded) ? forwarded : urlOf(request).host
  return `${viaHttps(request, trustProxy) ? "https" : "http"}://${host}`
}

export const forbiddenForm = (nav?: Nav) =>
  htmlPage(page("Form expired", nav, html`<h1>This form has expired</h1><p>Go back, reload the page and try again.</p>`), 403)

/** The API's refusal as a page: its title and detail are written for the caller. */
export const refusedPage = (answer: ApiAnswer, nav?: Nav) => {
  const problem = (typeof answer.body === "object" && answer.body !== null ? answer.body : {}) as { title?: string; detail?: string }
  const status = answer.status >= 400 ? answer.status : 502
  return htmlPage(page(problem.title ?? "Something went wrong", nav, html`<h1>${problem.title ?? "Something went wrong"}</h1><p>${problem.detail ?? "The request could not be completed."}</p><p><a href="/console">Back to the console</a></p>`), status)
}

export const detailOf = (answer: ApiAnswer): string => {
  const body = answer.body as { detail?: unknown } | undefined
  return typeof body?.detail === "string" ? body.detail : `The request failed (${answer.status}).`
}

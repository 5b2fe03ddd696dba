// The request's URL. A request without a Host header (HTTP/1.0 allows it)
// reaches the server with a bare path as its url, which `new URL` refuses;
// it is resolved against a placeholder origin instead, so reading a path or
// a scheme can never throw.
const PLACEHOLDER_ORIGIN = "http://host.invalid"

export const urlOf = (request: Request): URL => URL.parse(request.url) ?? URL.parse(request.url, PLACEHOLDER_ORIGIN) ?? new URL(`${PLACEHOLDER_ORIGIN}/`)

/**
 * The client reached the server over https: the request's own scheme, or,
 * behind TRUST_PROXY, the nearest proxy's X-Forwarded-Proto (a client's own
 * header is believed only when a trusted proxy wrote after it). Decides a
 * cookie's Secure flag.
 */
export const viaHttps = (request: Request, trustProxy: number): boolean =>
  urlOf(request).protocol === "https:" || (trustProxy > 0 && (request.headers.get("x-forwarded-proto") ?? "").split(",").at(-1)?.trim() === "https")

/**
 * The request as the router can read it. Elysia finds the path at the first
 * "/" from index 11 of the URL (it assumes a host of three or more
 * characters), so `Host: api`, `Host: db:80` (read as `db`) or no Host at all
 * would route every request to 404. Such a request is given the placeholder
 * origin; the app reads only the path and query, which stay as they were.
 */
export const routable = (request: Request): Request => {
  const url = request.url
  const pathAt = url.startsWith("/") ? 0 : url.indexOf("/", url.indexOf("//") + 2)
  if (pathAt >= 11) return request
  const path = pathAt < 0 ? "/" : url.slice(pathAt)
  return new Request(`${PLACEHOLDER_ORIGIN}${path}`, request)
}

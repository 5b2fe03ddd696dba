// The request's URL. A request without a Host header (HTTP/1.0 allows it)
// reaches the server with a bare path as its url, which `new URL` refuses;
// it is resolved against a placeholder origin instead, so reading a path or
// a scheme can never throw.
const PLACEHOLDER_ORIGIN = "http://host.invalid"

export const urlOf = (request: Request): URL => URL.parse(request.url) ?? URL.parse(request.url, PLACEHOLDER_ORIGIN) ?? new URL(`${PLACEHOLDER_ORIGIN}/`)

/**
 * What the outermost trusted proxy wrote in a forwarded header
 * (X-Forwarded-For, -Proto, -Host). Behind `hops` proxies that each append
 * what they received (TRUST_PROXY), that is the hops-th entry from the right;
 * entries left of it the client wrote itself and are never read. Fewer
 * entries than hops (a proxy that sets instead of appending, or one skipped):
 * the left-most. No entry, or no trusted proxy: undefined.
 */
export const forwardedValue = (request: Request, header: string, hops: number): string | undefined => {
  if (hops <= 0) return undefined
  const entries = (request.headers.get(header) ?? "").split(",").map((e) => e.trim()).filter((e) => e.length > 0)
  return entries.length === 0 ? undefined : entries[Math.max(0, entries.length - hops)]
}

/**
 * The client reached the server over https: the request's own scheme, or,
 * behind TRUST_PROXY, the scheme the proxies' X-Forwarded-Proto says the
 * client used (forwardedValue). Decides a cookie's Secure flag and the
 * scheme of the origin the console shows.
 */
export const viaHttps = (request: Request, trustProxy: number): boolean =>
  urlOf(request).protocol === "https:" || forwardedValue(request, "x-forwarded-proto", trustProxy)?.toLowerCase() === "https"

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

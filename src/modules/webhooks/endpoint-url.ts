// Which URLs an endpoint may have. The gateway posts to them from inside the
// operator's network, so by default a developer cannot aim it at a private
// or loopback address (cloud metadata, internal services);
// WEBHOOK_ALLOW_PRIVATE_HOSTS lifts that for self-hosted setups and tests.
// Only literal addresses and local names are checked here: a public name
// that resolves to a private address is not.
import { isIP } from "node:net"

const privateV4 = (a: string) => {
  const [x, y] = a.split(".").map(Number) as [number, number]
  return x === 10 || x === 127 || x === 0 || (x === 169 && y === 254) || (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168) || (x === 100 && y >= 64 && y <= 127)
}

const privateV6 = (a: string) => {
  const s = a.toLowerCase()
  return s === "::1" || s === "::" || s.startsWith("fc") || s.startsWith("fd") || s.startsWith("fe80") || s.startsWith("::ffff:")
}

/** Why the URL cannot be an endpoint, or undefined when it can. */
export const endpointUrlProblem = (raw: string, allowPrivate: boolean): string | undefined => {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return "is not a URL"
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must be http or https"
  if (url.username || url.password) return "must not carry credentials"
  if (allowPrivate) return undefined
  const host = url.hostname.replace(/^\[|\]$/g, "")
  const kind = isIP(host)
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".local") || host.endsWith(".internal") || (kind === 4 && privateV4(host)) || (kind === 6 && privateV6(host)))
    return "must be a public address (set WEBHOOK_ALLOW_PRIVATE_HOSTS=true to allow private ones)"
  return undefined
}

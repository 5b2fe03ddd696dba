// Which URLs an endpoint may have. The gateway posts to them from inside the
// operator's network, so by default a developer cannot aim it at a private,
// loopback, link-local, reserved or multicast address (cloud metadata,
// internal services); WEBHOOK_ALLOW_PRIVATE_HOSTS lifts that for
// self-hosted setups and tests. The name is checked when the endpoint is
// registered and its addresses again before each delivery (delivery.ts),
// which then connects to the address it checked (not to the name again, so a
// name whose answer changes in between, DNS rebinding, changes nothing).
import { isIP } from "node:net"

const v4 = (a: string) => a.split(".").map(Number) as [number, number, number, number]

/** Addresses no public endpoint has. */
export const isPrivateV4 = (a: string): boolean => {
  const [x, y] = v4(a)
  return (
    x === 0 || x === 10 || x === 127 || (x === 100 && y >= 64 && y <= 127) || (x === 169 && y === 254) || (x === 172 && y >= 16 && y <= 31) ||
    (x === 192 && y === 168) || (x === 192 && y === 0) || (x === 198 && (y === 18 || y === 19)) || x >= 224
  )
}

const expandV6 = (a: string): Array<number> | undefined => {
  let s = a.toLowerCase()
  const tail = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s)
  if (tail) {
    const [p, q, r, t] = v4(tail[2]!)
    s = `${tail[1]}${((p << 8) | q).toString(16)}:${((r << 8) | t).toString(16)}`
  }
  const halves = s.split("::")
  if (halves.length > 2) return undefined
  const head = halves[0] ? halves[0].split(":") : []
  const rest = halves.length === 2 && halves[1] ? halves[1].split(":") : []
  const groups = [...head, ...Array<string>(halves.length === 2 ? 8 - head.length - rest.length : 0).fill("0"), ...rest].map((g) => Number.parseInt(g, 16))
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined
}

export const isPrivateV6 = (a: string): boolean => {
  const g = expandV6(a)
  if (!g) return true
  const embeddedV4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
  if (g.slice(0, 6).every((x) => x === 0)) return true // ::, ::1, ::a.b.c.d
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return isPrivateV4(embeddedV4(g[6]!, g[7]!)) // ::ffff:a.b.c.d
  if (g[0] === 0x64 && g[1] === 0xff9b) return true // NAT64
  if (g[0] === 0x2002) return true // 6to4
  if ((g[0]! & 0xfe00) === 0xfc00) return true // unique local
  if ((g[0]! & 0xffc0) === 0xfe80 || (g[0]! & 0xffc0) === 0xfec0) return true // link-local, site-local
  if ((g[0]! & 0xff00) === 0xff00) return true // multicast
  return false
}

/** An address a delivery must not reach. */
export const isPrivateAddress = (address: string): boolean => {
  const kind = isIP(address)
  return kind === 4 ? isPrivateV4(address) : kind === 6 ? isPrivateV6(address) : true
}

/** The URL's host as a name or an address, without an IPv6 address's brackets. */
export const hostOf = (url: URL): string => url.hostname.replace(/^\[|\]$/g, "")

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
  const host = hostOf(url).replace(/\.+$/, "").toLowerCase()
  const privateProblem = "must be a public address (set WEBHOOK_ALLOW_PRIVATE_HOSTS=true to allow private ones)"
  if (isIP(host) !== 0) return isPrivateAddress(host) ? privateProblem : undefined
  // A single label (metadata, localhost) or a local suffix names something on the operator's own network.
  if (!host.includes(".") || /\.(localhost|local|internal|lan|home|corp|intranet)$/.test(host)) return privateProblem
  return undefined
}

// The client's address, for sign-up and login throttling.
//
// Behind N trusted proxies (TRUST_PROXY=N) each proxy appends the address it
// received the request from to X-Forwarded-For, so the client is the N-th
// entry from the right; whatever stands left of it the client wrote itself
// and is never read. With TRUST_PROXY=0 the header is ignored and the
// socket's address is the client's.
import { isIP } from "node:net"
import { Effect } from "effect"
import { AppConfig } from "../../platform/config/service"
import { forwardedValue } from "../../platform/http/request-url"

// The listening server knows the socket; the app only sees the Request. The
// server records each request's peer here (src/app/server.ts), which also
// works when the app is driven through `app.handle`.
const peers = new WeakMap<Request, string>()

/** Records the socket's address of a request, as the listening server accepted it. */
export const rememberPeer = (request: Request, address: string | undefined): void => {
  if (address) peers.set(request, address)
}

/** Gives `to` the socket address recorded for `from` (a request the app makes on a client's behalf). */
export const inheritPeer = (from: Request, to: Request): void => rememberPeer(to, peers.get(from))

/** The client's address: the socket's, or with `hops` trusted proxies the hops-th X-Forwarded-For entry from the right. */
export const clientAddress = (request: Request, hops: number): string =>
  forwardedValue(request, "x-forwarded-for", hops)?.slice(0, 64) ?? peers.get(request) ?? "unknown"

/** The client's address under the configured TRUST_PROXY. */
export const clientAddressOf = (request: Request) => Effect.map(AppConfig, (config) => clientAddress(request, config.trustProxy))

const v6Groups = (address: string): Array<number> | undefined => {
  let s = address.toLowerCase()
  const v4Tail = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s)
  if (v4Tail) {
    const [a, b, c, d] = v4Tail.slice(2).map(Number) as [number, number, number, number]
    s = `${v4Tail[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const halves = s.split("::")
  if (halves.length > 2) return undefined
  const head = halves[0] ? halves[0].split(":") : []
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : []
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0
  const groups = [...head, ...Array<string>(Math.max(0, fill)).fill("0"), ...tail].map((g) => Number.parseInt(g, 16))
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined
}

/**
 * The unit an address is throttled as: an IPv4 address as is, without a port (an IPv4-mapped
 * IPv6 address as its IPv4 form), an IPv6 address as its /64, since one
 * client is usually given a whole /64 and could otherwise take a fresh
 * address for every attempt. Anything else (a proxy's `unknown`) as written.
 */
export const throttleAddress = (address: string): string => {
  const bare = address.replace(/^\[|\](:\d+)?$/g, "").replace(/%.*$/, "")
  // Some proxies write `ip:port`: every source port must not be a bucket of its own.
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(bare)?.[1]
  if (v4 !== undefined && isIP(v4) === 4) return v4
  if (isIP(bare) !== 6) return bare.toLowerCase()
  const g = v6Groups(bare)
  if (!g) return bare.toLowerCase()
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return `${g[6]! >> 8}.${g[6]! & 0xff}.${g[7]! >> 8}.${g[7]! & 0xff}`
  return `${g.slice(0, 4).map((x) => x.toString(16)).join(":")}::/64`
}

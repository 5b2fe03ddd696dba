// The client's address under TRUST_PROXY: the socket's, or the N-th
// X-Forwarded-For entry from the right; and the unit it is throttled as.
import { describe, expect, test } from "bun:test"
import { clientAddress, rememberPeer, throttleAddress } from "../../src/modules/auth/client-address"
import { trustedHops } from "../../src/platform/config/trust-proxy"
import { ConfigInvalid, loadConfig } from "../../src/platform/config/config"

const request = (xff?: string, peer = "192.0.2.10") => {
  const r = new Request("http://localhost/v1/auth/login", { method: "POST", headers: xff === undefined ? {} : { "x-forwarded-for": xff } })
  rememberPeer(r, peer)
  return r
}

describe("client address", () => {
  test("TRUST_PROXY=0: the socket's address; X-Forwarded-For is ignored", () => {
    expect(clientAddress(request("203.0.113.9"), 0)).toBe("192.0.2.10")
    expect(clientAddress(request(), 0)).toBe("192.0.2.10")
    expect(clientAddress(new Request("http://localhost/"), 0)).toBe("unknown")
  })

  test("TRUST_PROXY=1: the right-most entry, the one our proxy appended; what the client wrote is ignored", () => {
    expect(clientAddress(request("203.0.113.9"), 1)).toBe("203.0.113.9")
    expect(clientAddress(request("6.6.6.6, 203.0.113.9"), 1)).toBe("203.0.113.9")
    expect(clientAddress(request("6.6.6.6,7.7.7.7 ,  203.0.113.9"), 1)).toBe("203.0.113.9")
    // No header: the request did not come through the proxy.
    expect(clientAddress(request(), 1)).toBe("192.0.2.10")
  })

  test("TRUST_PROXY=2: the second entry from the right (CDN, then load balancer)", () => {
    expect(clientAddress(request("6.6.6.6, 203.0.113.9, 198.51.100.2"), 2)).toBe("203.0.113.9")
    expect(clientAddress(request("203.0.113.9, 198.51.100.2"), 2)).toBe("203.0.113.9")
    // Several header lines are one list, in order.
    const twoLines = new Request("http://localhost/", { headers: [["x-forwarded-for", "6.6.6.6"], ["x-forwarded-for", "203.0.113.9, 198.51.100.2"]] })
    expect(clientAddress(twoLines, 2)).toBe("203.0.113.9")
  })

  test("TRUST_PROXY reads a hop count; true is 1 and false is 0 as before", () => {
    expect(["0", "1", "2", "true", "false", "yes", "off"].map((v) => loadConfig({ TRUST_PROXY: v }).trustProxy)).toEqual([0, 1, 2, 1, 0, 1, 0])
    expect(loadConfig({}).trustProxy).toBe(0)
    expect(trustedHops("-1").ok).toBe(false)
    expect(() => loadConfig({ TRUST_PROXY: "all" })).toThrow(ConfigInvalid)
    const problems = (() => {
      try {
        loadConfig({ TRUST_PROXY: "11" })
        return []
      } catch (e) {
        return (e as ConfigInvalid).problems
      }
    })()
    expect(problems).toEqual(['TRUST_PROXY: expected the number of trusted proxies in front of the server, 0 to 10 (true = 1, false = 0), got "11"'])
  })

  test("IPv6 clients are throttled per /64; IPv4-mapped addresses as IPv4", () => {
    expect(throttleAddress("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64")
    expect(throttleAddress("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64")
    expect(throttleAddress("2001:DB8:1::")).toBe("2001:db8:1:0::/64")
    expect(throttleAddress("[2001:db8:1:2::1]:443")).toBe("2001:db8:1:2::/64")
    // A proxy that writes ip:port: one bucket for every source port.
    expect(throttleAddress("1.2.3.4:5678")).toBe("1.2.3.4")
    expect(throttleAddress("1.2.3.4:5679")).toBe(throttleAddress("1.2.3.4:5678"))
    expect(throttleAddress("::ffff:198.51.100.7")).toBe("198.51.100.7")
    expect(throttleAddress("198.51.100.7")).toBe("198.51.100.7")
    expect(throttleAddress("unknown")).toBe("unknown")
  })
})

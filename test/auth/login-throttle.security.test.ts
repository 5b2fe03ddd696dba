// Login throttling per account AND address, with the client's address taken
// as proxies expect (TRUST_PROXY unset, 1 and 2 hops): one address's failures
// lock only that address out of that account, with doubling lockouts; a
// spoofed left-most X-Forwarded-For entry is never the address; a guesser
// spread over many addresses slows the account for seconds, not minutes.
import { afterEach, describe, expect, test } from "bun:test"
import { makeTestApp, readJson, type TestApp } from "../support/app"
import { PASSWORD, register, uniqueEmail } from "../support/accounts"
import { manualClock } from "../support/clock"
import type { Dialect } from "../support/db"
import { appBackends, freshAddress } from "../support/limiter-backends"
import { serve } from "../support/served"

const WRONG = "not the password at all"



const open: Array<{ close: () => Promise<void> }> = []
afterEach(async () => {
  for (const o of open.splice(0)) await o.close()
})

const app = async (dialect: Dialect, env: Record<string, string>, clock = manualClock()) => {
  const h = await makeTestApp(dialect, { SIGNUP_MAX_PER_HOUR: "0", ...env }, { clock })
  open.push(h)
  return { h, clock }
}

/** A login through app.handle with the X-Forwarded-For a proxy chain hands on. */
const login = async (h: TestApp, email: string, password: string, xff?: string) =>
  readJson(await h.request("/v1/auth/login", { method: "POST", json: { email, password }, headers: xff === undefined ? {} : { "x-forwarded-for": xff } }))

describe("login throttling, TRUST_PROXY unset: the socket's address", () => {
  test("six bad tries from one address (blaming another in X-Forwarded-For) lock out only that address from that account", async () => {
    const { h } = await app("sqlite", {})
    const s = serve(h)
    open.push({ close: async () => s.stop() })
    const x = await register(h)
    const y = await register(h)
    const attempt = (from: string, email: string, password: string, headers: Record<string, string> = {}) => s.post(from, "/v1/auth/login", { email, password }, headers)
    const statuses: Array<number> = []
    // The attacker names the victim's address in the header; without TRUST_PROXY it is never read.
    for (let i = 0; i < 6; i++) statuses.push((await attempt("127.0.0.2", x.email, WRONG, { "x-forwarded-for": "127.0.0.3" })).status)
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429])
    const locked = await attempt("127.0.0.2", x.email, PASSWORD)
    expect(locked).toMatchObject({ status: 429, body: { code: "login_throttled" } })
    expect(Number(locked.headers["retry-after"])).toBeGreaterThan(0)
    // Another address gets in with the right password at once, and the attacker's address still reaches other accounts.
    expect(await attempt("127.0.0.3", x.email, PASSWORD)).toMatchObject({ status: 200 })
    expect(await attempt("127.0.0.2", y.email, PASSWORD)).toMatchObject({ status: 200 })
  })
})

for (const b of appBackends) {
  describe(`login throttling behind proxies (${b.name})`, () => {
    test("TRUST_PROXY=1: the right-most entry is the client; rotating spoofed left-most entries neither evades the lockout nor blames the victim", async () => {
      const { h } = await app(b.dialect, { ...b.env, TRUST_PROXY: "1" })
      const x = await register(h)
      const y = await register(h)
      const attacker = freshAddress()
      const victim = freshAddress()
      const statuses: Array<number> = []
      for (let i = 0; i < 6; i++) statuses.push((await login(h, x.email, WRONG, `${i % 2 === 0 ? victim : freshAddress()}, ${attacker}`)).status)
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429])
      expect((await login(h, x.email, PASSWORD, `${freshAddress()}, ${attacker}`)).status).toBe(429)
      // The victim's own requests carry only the address their proxy appended.
      expect(await login(h, x.email, PASSWORD, victim)).toMatchObject({ status: 200 })
      expect(await login(h, y.email, PASSWORD, victim)).toMatchObject({ status: 200 })
    })

    test("TRUST_PROXY=2: the second entry from the right (CDN, then load balancer)", async () => {
      const { h } = await app(b.dialect, { ...b.env, TRUST_PROXY: "2" })
      const x = await register(h)
      const cdn = freshAddress()
      const attacker = freshAddress()
      const victim = freshAddress()
      const statuses: Array<number> = []
      for (let i = 0; i < 6; i++) statuses.push((await login(h, x.email, WRONG, `${i % 2 === 0 ? victim : freshAddress()}, ${attacker}, ${cdn}`)).status)
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429])
      expect((await login(h, x.email, PASSWORD, `${attacker}, ${cdn}`)).status).toBe(429)
      expect(await login(h, x.email, PASSWORD, `${victim}, ${cdn}`)).toMatchObject({ status: 200 })
    })
  })
}

describe("login lockouts back off and stay short for everyone else", () => {
  test("a pair's lockout doubles with each further failure; the right password then clears it", async () => {
    const { h, clock } = await app("sqlite", { TRUST_PROXY: "1", LOGIN_MAX_FAILURES: "3" })
    const x = await register(h)
    const from = freshAddress()
    for (let i = 0; i < 3; i++) expect((await login(h, x.email, WRONG, from)).status).toBe(401)
    const first = await login(h, x.email, PASSWORD, from)
    expect(first).toMatchObject({ status: 429, body: { code: "login_throttled", retry_after: 60 } })
    expect(first.headers.get("retry-after")).toBe("60")
    clock.advance(60_000)
    expect((await login(h, x.email, WRONG, from)).status).toBe(401)
    expect((await login(h, x.email, PASSWORD, from)).headers.get("retry-after")).toBe("120")
    clock.advance(120_000)
    expect((await login(h, x.email, PASSWORD, from)).status).toBe(200)
    // Cleared: two more mistakes do not lock.
    for (let i = 0; i < 2; i++) expect((await login(h, x.email, WRONG, from)).status).toBe(401)
    expect((await login(h, x.email, PASSWORD, from)).status).toBe(200)
  })

  test("failures spread over many addresses slow the account for seconds: the owner gets in after the short wait", async () => {
    const { h, clock } = await app("sqlite", { TRUST_PROXY: "1", LOGIN_MAX_FAILURES: "3", LOGIN_MAX_PER_ACCOUNT: "10" })
    const x = await register(h)
    const statuses: Array<number> = []
    for (let a = 0; a < 4; a++) {
      const from = freshAddress()
      for (let i = 0; i < 3; i++) statuses.push((await login(h, x.email, WRONG, from)).status)
    }
    expect(statuses.filter((s) => s === 401).length).toBe(10)
    const owner = freshAddress()
    const slowed = await login(h, x.email, PASSWORD, owner)
    expect(slowed).toMatchObject({ status: 429, body: { code: "login_throttled" } })
    // The ceiling refills one attempt every window / 10 = 90 s, not the whole window.
    const wait = Number(slowed.headers.get("retry-after"))
    expect(wait).toBeGreaterThan(0)
    expect(wait).toBeLessThanOrEqual(90)
    clock.advance(wait * 1000)
    expect(await login(h, x.email, PASSWORD, owner)).toMatchObject({ status: 200 })
  })

  test("a throttled answer is the same for an email with no account", async () => {
    const { h } = await app("sqlite", { TRUST_PROXY: "1" })
    const x = await register(h)
    const from = freshAddress()
    const nobody = uniqueEmail()
    for (let i = 0; i < 5; i++) {
      const known = await login(h, x.email, WRONG, from)
      const unknown = await login(h, nobody, WRONG, from)
      expect({ status: unknown.status, code: unknown.body.code, detail: unknown.body.detail }).toEqual({ status: known.status, code: known.body.code, detail: known.body.detail })
    }
    const known = await login(h, x.email, PASSWORD, from)
    const unknown = await login(h, nobody, PASSWORD, from)
    expect(known.status).toBe(429)
    expect({ status: unknown.status, code: unknown.body.code, detail: unknown.body.detail, retry: unknown.headers.get("retry-after") }).toEqual({
      status: known.status,
      code: known.body.code,
      detail: known.body.detail,
      retry: known.headers.get("retry-after"),
    })
  })
})

describe("login ceilings", () => {
  test("one address spraying many accounts meets its per-address ceiling; another address does not", async () => {
    const { h } = await app("sqlite", { TRUST_PROXY: "1", LOGIN_MAX_PER_ADDRESS: "3" })
    const sprayer = freshAddress()
    const accounts = [await register(h), await register(h), await register(h), await register(h)]
    // One wrong password per account: no pair comes near LOGIN_MAX_FAILURES.
    const statuses = []
    for (const a of accounts) statuses.push((await login(h, a.email, WRONG, sprayer)).status)
    expect(statuses).toEqual([401, 401, 401, 429])
    expect(await login(h, accounts[3]!.email, PASSWORD, freshAddress())).toMatchObject({ status: 200 })
  })

  test("an address over its ceiling does not use up the accounts it keeps trying: their owners log in from elsewhere at once", async () => {
    const { h } = await app("sqlite", { TRUST_PROXY: "1", LOGIN_MAX_PER_ADDRESS: "1", LOGIN_MAX_PER_ACCOUNT: "2" })
    const sprayer = freshAddress()
    const [first, target] = [await register(h), await register(h)]
    expect((await login(h, first.email, WRONG, sprayer)).status).toBe(401)
    // Refused by the address's ceiling, again and again: none of it may count against the target account.
    for (let i = 0; i < 4; i++) expect((await login(h, target.email, WRONG, sprayer)).status).toBe(429)
    expect(await login(h, target.email, PASSWORD, freshAddress())).toMatchObject({ status: 200 })
    expect(await login(h, target.email, PASSWORD, freshAddress())).toMatchObject({ status: 200 })
  })

  test("a locked-out address hammering the account does not use up the account's ceiling: the owner still logs in from elsewhere", async () => {
    const { h } = await app("sqlite", { TRUST_PROXY: "1", LOGIN_MAX_FAILURES: "3", LOGIN_MAX_PER_ACCOUNT: "6" })
    const x = await register(h)
    const attacker = freshAddress()
    const statuses = []
    for (let i = 0; i < 12; i++) statuses.push((await login(h, x.email, WRONG, attacker)).status)
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 429])
    expect(statuses.slice(4).every((s) => s === 429)).toBe(true)
    // Only the attempts that got past the pair's lock counted against the account.
    expect(await login(h, x.email, PASSWORD, freshAddress())).toMatchObject({ status: 200 })
  })
})

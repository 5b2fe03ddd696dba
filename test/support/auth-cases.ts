// The API key refusals every key-authenticated route must give, in one place:
// missing, malformed (shape and checksum), unknown, revoked → 401; suspended → 403.
import { expect } from "bun:test"
import { Effect } from "effect"
import { generateApiKey } from "../../src/modules/keys/key-format"
import { ApiKeys } from "../../src/modules/keys/verifier"
import { Store } from "../../src/store/store"
import { bearer, login, register } from "./accounts"
import { readJson, type TestApp } from "./app"

export type RouteCall = { readonly method: "GET" | "POST"; readonly path: string; readonly json?: unknown }

const send = async (h: TestApp, route: RouteCall, headers: Record<string, string>) =>
  readJson(await h.request(route.path, { method: route.method, headers, ...(route.json !== undefined ? { json: route.json } : {}) }))

export type AuthFixtures = {
  /** A well-formed key with one character changed: fails the checksum. */
  readonly typo: string
  readonly revokedKey: string
  readonly suspendedKey: string
}

/** Keys in each refused state, made once per app (registering is deliberately slow). */
export const makeAuthFixtures = async (h: TestApp): Promise<AuthFixtures> => {
  const a = await register(h)
  const token = await login(h, a.email)
  const revoked = await readJson(await h.request(`/v1/keys/${a.keyId}`, { method: "DELETE", headers: bearer(token) }))
  expect(revoked).toMatchObject({ status: 200, body: { status: "revoked" } })
  const b = await register(h)
  await h.runtime.runPromise(
    Effect.gen(function* () {
      yield* (yield* Store).keys.update(b.keyId, { status: "suspended", statusReason: "payment_failed" })
      ;(yield* ApiKeys).forget(b.keyId)
    }),
  )
  const typo = b.key.slice(0, 20) + (b.key[20] === "a" ? "b" : "a") + b.key.slice(21)
  return { typo, revokedKey: a.key, suspendedKey: b.key }
}

/** Runs every auth refusal against `route`; each must be refused before the route does any work. */
export const expectKeyAuthRefusals = async (h: TestApp, route: RouteCall, keys: AuthFixtures) => {
  const label = `${route.method} ${route.path}`
  const missing = await send(h, route, {})
  expect({ label, status: missing.status, body: missing.body }).toMatchObject({ status: 401, body: { code: "api_key_missing" } })
  expect(missing.headers.get("www-authenticate")).toContain("Bearer")
  expect(missing.headers.get("content-type")).toContain("application/problem+json")

  const basic = await send(h, route, { authorization: "Basic dXNlcjpwYXNz" })
  expect({ label, status: basic.status, body: basic.body }).toMatchObject({ status: 401, body: { code: "api_key_missing" } })

  for (const bad of ["tk_live_short", keys.typo, "not-a-key"]) {
    const r = await send(h, route, bearer(bad))
    expect({ label, bad: bad.slice(0, 12), status: r.status, body: r.body }).toMatchObject({ status: 401, body: { code: "api_key_malformed" } })
  }

  const unknown = await send(h, route, bearer(generateApiKey("live")))
  expect({ label, status: unknown.status, body: unknown.body }).toMatchObject({ status: 401, body: { code: "api_key_invalid" } })

  const revoked = await send(h, route, bearer(keys.revokedKey))
  expect({ label, status: revoked.status, body: revoked.body }).toMatchObject({ status: 401, body: { code: "api_key_revoked" } })

  const suspended = await send(h, route, bearer(keys.suspendedKey))
  expect({ label, status: suspended.status, body: suspended.body }).toMatchObject({ status: 403, body: { code: "api_key_suspended", reason: "payment_failed" } })

  // No secret comes back in any refusal.
  for (const r of [revoked, suspended]) {
    expect(r.text).not.toContain(keys.revokedKey)
    expect(r.text).not.toContain(keys.suspendedKey)
  }
}

// No log line and no response other than the one that issues it ever holds a
// full API key, a session token or a password.
import { afterAll, beforeAll, expect, test } from "bun:test"
import { makeTestApp, readJson, waitForLog, type TestApp } from "../support/app"
import { PASSWORD, bearer, uniqueEmail } from "../support/accounts"

const ADMIN = "admin-token-0123456789-abcdefghij"
let h: TestApp
beforeAll(async () => {
  h = await makeTestApp("sqlite", { ADMIN_TOKEN: ADMIN, LOGIN_MAX_FAILURES: "2" })
})
afterAll(() => h.close())

test("a full lifecycle leaks no key, token or password into logs or other responses", async () => {
  const secrets: Array<string> = [PASSWORD, ADMIN, "wrong-password-123"]
  const others: Array<string> = []
  const call = async (path: string, init: RequestInit & { json?: unknown } = {}, issuesSecret = false) => {
    const r = await readJson(await h.request(path, init))
    if (!issuesSecret) others.push(r.text + JSON.stringify([...(r.headers as unknown as Iterable<[string, string]>)].filter(([k]) => k !== "set-cookie")))
    return r
  }
  const email = uniqueEmail()
  const reg = await call("/v1/auth/register", { method: "POST", json: { email, password: PASSWORD } }, true)
  const key = reg.body.api_key.key as string
  secrets.push(key)
  await call("/v1/auth/register", { method: "POST", json: { email, password: PASSWORD } })
  await call("/v1/auth/login", { method: "POST", json: { email, password: "wrong-password-123" } })
  const login = await call("/v1/auth/login", { method: "POST", json: { email, password: PASSWORD } }, true)
  const token = login.body.session.token as string
  secrets.push(token)
  const created = await call("/v1/keys", { method: "POST", headers: bearer(token), json: { name: "second" } }, true)
  secrets.push(created.body.key)
  const rolled = await call(`/v1/keys/${created.body.id}/roll`, { method: "POST", headers: bearer(token), json: { grace_seconds: 30 } }, true)
  secrets.push(rolled.body.key)
  await call("/v1/keys", { headers: bearer(token) })
  await call("/v1/key", { headers: bearer(key) })
  await call("/v1/key", { headers: bearer(key.slice(0, -2) + "zz") })
  await call("/v1/key", { headers: bearer(created.body.key) })
  await call("/admin/keys", { headers: bearer(ADMIN) })
  await call("/admin/users", { headers: bearer(key) })
  await call(`/v1/keys/${created.body.id}`, { method: "DELETE", headers: bearer(token) })
  await call("/v1/auth/logout", { method: "POST", headers: bearer(token) })
  // Access lines are written after each response: wait for the last request's.
  await waitForLog(h.logs, (l) => l.includes('"path":"/v1/auth/logout"'))

  expect(h.logs.length).toBeGreaterThan(10)
  const logs = h.logs.join("\n")
  for (const secret of secrets) {
    // Any 16-character window of a secret counts as a leak.
    for (const probe of [secret, secret.slice(8, 24), secret.slice(-16)]) {
      expect({ probe, inLogs: logs.includes(probe) }).toEqual({ probe, inLogs: false })
      expect({ probe, inResponses: others.some((o) => o.includes(probe)) }).toEqual({ probe, inResponses: false })
    }
  }
})

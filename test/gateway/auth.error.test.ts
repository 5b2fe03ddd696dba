// Every API-key route refuses missing, malformed, unknown, revoked and
// suspended keys the same way, on every dialect.
import { afterAll, beforeAll, describe, test } from "bun:test"
import { makeTestApp, type TestApp } from "../support/app"
import { expectKeyAuthRefusals, makeAuthFixtures, type AuthFixtures, type RouteCall } from "../support/auth-cases"
import { dialects } from "../support/db"

const routes: ReadonlyArray<RouteCall> = [
  { method: "POST", path: "/v1/agents/warmmemory", json: { action: "list" } },
  { method: "POST", path: "/v1/memory/set", json: { key: "k", value: "v" } },
  { method: "POST", path: "/v1/memory/get", json: { key: "k" } },
  { method: "POST", path: "/v1/memory/list", json: {} },
  { method: "POST", path: "/v1/memory/delete", json: { key: "k" } },
  { method: "POST", path: "/v1/answers/teach", json: { question: "q?", answer: "a" } },
  { method: "POST", path: "/v1/answers/ask", json: { question: "q?" } },
  { method: "POST", path: "/v1/answers/update", json: { question: "q?", answer: "a" } },
  { method: "POST", path: "/v1/answers/forget", json: { question: "q?" } },
  { method: "GET", path: "/v1/usage/current" },
  { method: "GET", path: "/v1/usage/history" },
]

for (const dialect of dialects) {
  describe(`API key routes refuse bad keys (${dialect})`, () => {
    let h: TestApp
    let keys: AuthFixtures
    beforeAll(async () => {
      h = await makeTestApp(dialect)
      keys = await makeAuthFixtures(h)
    })
    afterAll(() => h.close())

    for (const route of routes) test(`${route.method} ${route.path}`, () => expectKeyAuthRefusals(h, route, keys))
  })
}

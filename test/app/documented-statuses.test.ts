// A route's documented problem statuses come from its program's failures
// (respond's `failures`, checked by the compiler against the program's error
// type) and from what parsing its body and parameters can answer: the API
// reference lists what the route really answers with, no more, no less.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { failuresOf } from "../../src/platform/http/failures"
import { readJson, makeTestApp, type TestApp } from "../support/app"

let h: TestApp
let paths: Record<string, Record<string, { responses: Record<string, unknown> }>>
beforeAll(async () => {
  h = await makeTestApp("sqlite", { ADMIN_TOKEN: "documented-statuses-admin-0123456789abcdef" })
  paths = (await readJson(await h.request("/docs/json"))).body.paths
})
afterAll(() => h.close())

const problemStatuses = (path: string, method: string) =>
  Object.keys(paths[path]?.[method]?.responses ?? {})
    .filter((s) => !s.startsWith("2"))
    .map(Number)

describe("documented statuses", () => {
  test("the agent call documents every status its pipeline and JSON body can answer with", () => {
    // 401 key, 402 quota/cap/card, 403 suspended, 404 agent, 409 in flight,
    // 413/415/400 body, 422 input, 429 rate, 502 marketplace, 503 pool/store, 504 outcome unknown.
    expect(problemStatuses("/v1/agents/{agentId}", "post")).toEqual([400, 401, 402, 403, 404, 409, 413, 415, 422, 429, 502, 503, 504])
  })

  test("a session route documents its session failures (including the database's 503), and what parsing a body can answer on any route that may receive one", () => {
    expect(problemStatuses("/v1/auth/logout", "post")).toEqual([400, 401, 413, 415, 422, 503])
    expect(problemStatuses("/v1/keys", "get")).toEqual([401, 503])
    // The webhook takes Stripe's raw body: a non-JSON type is 415, an oversized one 413.
    expect(problemStatuses("/v1/webhooks/stripe", "post")).toEqual([400, 413, 415, 422, 503])
    expect(problemStatuses("/v1/keys", "post")).toEqual([400, 401, 404, 413, 415, 422, 503])
  })

  test("an admin route with a query documents the admin guard, the query's 422 and the database", () => {
    expect(problemStatuses("/admin/pool", "get")).toEqual([401, 422, 503])
  })

  test("failuresOf accepts exactly the tags of the error type", () => {
    type E = { readonly _tag: "A" } | { readonly _tag: "B" }
    expect(failuresOf<E>()(["A", "B"])).toEqual(["A", "B"])
    // @ts-expect-error a missing tag asks for a second argument naming it
    failuresOf<E>()(["A"])
    // @ts-expect-error a tag the type cannot fail with
    failuresOf<E>()(["A", "B", "C"])
  })
})

import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { makeTestApp, readJson, type TestApp } from "../support/app"
import { dialects } from "../support/db"

for (const dialect of dialects) {
  describe(`health (${dialect})`, () => {
    let h: TestApp
    beforeAll(async () => {
      h = await makeTestApp(dialect)
    })
    afterAll(() => h.close())

    test("/healthz answers while the process is alive", async () => {
      expect(await readJson(await h.request("/healthz"))).toMatchObject({ status: 200, body: { status: "ok" } })
    })

    test("/readyz reports the database reachable and migrations current", async () => {
      const r = await readJson(await h.request("/readyz"))
      expect(r).toMatchObject({ status: 200, body: { status: "ready", database: dialect } })
      expect(r.body.migrations.applied).toBe(r.body.migrations.expected)
    })
  })
}

describe("OpenAPI", () => {
  let h: TestApp
  beforeAll(async () => {
    h = await makeTestApp("sqlite")
  })
  afterAll(() => h.close())

  test("/docs/json is an OpenAPI 3 document describing every route with responses", async () => {
    const r = await readJson(await h.request("/docs/json"))
    expect(r.status).toBe(200)
    expect(r.body.openapi).toStartWith("3.")
    for (const [path, ops] of Object.entries<Record<string, any>>(r.body.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect({ path, method, operationId: op.operationId }).toMatchObject({ operationId: expect.any(String) })
        const success = Object.keys(op.responses ?? {}).find((s) => s.startsWith("2"))
        const schema = success === undefined ? undefined : op.responses[success]?.content?.["application/json"]?.schema
        expect({ path, method, success, hasSchema: schema !== undefined }).toEqual({ path, method, success: expect.stringMatching(/^2\d\d$/), hasSchema: true })
      }
    }
    expect(Object.keys(r.body.paths)).toEqual(expect.arrayContaining(["/healthz", "/readyz", "/v1/auth/register", "/v1/keys", "/v1/keys/{id}/roll"]))
  })

  test("/docs serves the interactive page", async () => {
    const r = await h.request("/docs")
    expect(r.status).toBe(200)
    expect(r.headers.get("content-type")).toContain("text/html")
  })
})

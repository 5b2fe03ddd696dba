// The OpenAPI document is complete enough for "try it": every operation says
// how a caller authenticates (and a protected one really refuses a request
// without credentials), every route that takes a body documents it as JSON,
// and the health routes come last.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { makeTestApp, readJson, type TestApp } from "../support/app"

type Operation = { parameters?: Array<{ in: string; required?: boolean }>; security?: Array<Record<string, Array<string>>>; requestBody?: { content: Record<string, { schema: { examples?: Array<unknown> } }>; required?: boolean }; tags?: Array<string> }

let h: TestApp
let doc: { paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown> }; tags: Array<{ name: string }> }
beforeAll(async () => {
  h = await makeTestApp("sqlite", { ADMIN_TOKEN: "openapi-document-admin-0123456789abcdef" })
  doc = (await readJson(await h.request("/docs/json"))).body
})
afterAll(() => h.close())

const operations = () => Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })))

describe("the OpenAPI document", () => {
  test("declares the five security schemes, and every operation names which it takes (an empty list: public)", () => {
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["adminToken", "apiKey", "metricsToken", "sessionBearer", "sessionCookie"])
    const undeclared = operations().filter(({ op }) => !Array.isArray(op.security)).map(({ method, path }) => `${method} ${path}`)
    expect(undeclared).toEqual([])
    const schemes = (path: string, method: string) => doc.paths[path]![method]!.security!.flatMap((r) => Object.keys(r)).sort()
    expect(schemes("/v1/key", "get")).toEqual(["apiKey"])
    expect(schemes("/v1/agents/{agentId}", "post")).toEqual(["apiKey"])
    expect(schemes("/v1/keys", "get")).toEqual(["sessionBearer", "sessionCookie"])
    expect(schemes("/v1/usage/history", "get")).toEqual(["apiKey", "sessionBearer", "sessionCookie"])
    expect(schemes("/admin/pool", "get")).toEqual(["adminToken"])
    expect(schemes("/v1/auth/register", "post")).toEqual([])
    expect(schemes("/healthz", "get")).toEqual([])
  })

  test("every operation that declares a scheme refuses a request without credentials with 401", async () => {
    const protectedOps = operations().filter(({ op }) => (op.security?.length ?? 0) > 0)
    expect(protectedOps.length).toBeGreaterThan(20)
    const answers: Array<string> = []
    for (const { path, method, op } of protectedOps) {
      const url = path.replace(/\{[^}]+\}/g, "x_1")
      const r = await h.request(url, { method: method.toUpperCase(), ...(op.requestBody ? { json: {} } : {}) })
      // A body or a required query is checked against its schema first (422); a route that takes neither must refuse on credentials.
      const validatedFirst = op.requestBody !== undefined || (op.parameters ?? []).some((p) => p.in === "query" && p.required)
      if (r.status !== 401 && !(validatedFirst && r.status === 422)) answers.push(`${method} ${path}: ${r.status}`)
    }
    expect(answers).toEqual([])
  })

  test("every route that takes a body documents it as JSON; the agent call's free-form object has an example", () => {
    const bodies = operations().filter(({ op }) => op.requestBody)
    expect(bodies.length).toBeGreaterThan(20)
    expect(bodies.filter(({ op }) => !op.requestBody!.content["application/json"]).map(({ method, path }) => `${method} ${path}`)).toEqual([])
    expect(doc.paths["/v1/agents/{agentId}"]!.post!.requestBody!.content["application/json"]!.schema.examples?.length).toBeGreaterThan(0)
  })

  test("the health routes come last, in the paths and in the tags", () => {
    expect(Object.keys(doc.paths).slice(-2)).toEqual(["/healthz", "/readyz"])
    expect(doc.tags.at(-1)?.name).toBe("health")
  })
})

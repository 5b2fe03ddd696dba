import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { allOf } from "../../../platform/http/failures"
import { readiness } from "../service"
import { security } from "../../../platform/http/security"

const failures = ["StoreUnavailable"] as const

export const Readyz = t.Object({
  status: t.Union([t.Literal("ready"), t.Literal("migrations_pending")], { description: "ready when the database answers and is migrated" }),
  database: t.Union([t.Literal("sqlite"), t.Literal("postgres")], { description: "Store dialect in use" }),
  migrations: t.Object({
    applied: t.Integer({ description: "Migrations recorded in the database" }),
    expected: t.Integer({ description: "Migrations this build carries" }),
  }),
})

/** Readiness: 200 when the database answers and is current, 503 otherwise. */
export const readyz = (respond: Respond) =>
  new Elysia().get(
    "/readyz",
    ({ request }) => respond(request, failures, readiness(), { status: (r) => (r.status === "ready" ? 200 : 503) }),
    {
      response: respond.documented({ 200: Readyz }, allOf(failures)),
      detail: { security: security.none, operationId: "readyz", tags: ["health"], summary: "Readiness probe (database reachable, migrations current)" },
    },
  )

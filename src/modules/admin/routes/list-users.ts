import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { inputFailures } from "../../../platform/http/failures"
import { NextCursor, pageOf, pageQuery } from "../page"
import { adminResponder } from "../guard"
import { listUsers } from "../service"
import { security } from "../../../platform/http/security"

const failures = ["StoreUnavailable"] as const

const Page = pageQuery(500)

const Users = t.Object({
  users: t.Array(
    t.Object({
      id: t.String({ description: "User id" }),
      email: t.String({ description: "Email" }),
      tier: t.String({ description: "Tier" }),
      stripe_customer_id: t.Union([t.String(), t.Null()], { description: "Stripe customer, when billing is on" }),
      created_at: t.String({ description: "ISO time" }),
    }),
  ),
  next: NextCursor,
})

export const listUsersRoute = (respond: Respond) => {
  const admin = adminResponder(respond)
  return new Elysia().get(
    "/admin/users",
    ({ request, query }) =>
      admin.respond(request, failures, pageOf("users", query, listUsers, (u) => ({ id: u.id, email: u.email, tier: u.tier, stripe_customer_id: u.stripeCustomerId, created_at: new Date(u.createdAt).toISOString() }))),
    {
      query: Page,
      response: admin.documented({ 200: Users }, failures, inputFailures),
      detail: { security: security.admin, operationId: "adminListUsers", tags: ["admin"], summary: "List users" },
    },
  )
}

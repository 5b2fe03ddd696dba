import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { allOf, inputFailures } from "../../../platform/http/failures"
import { adminFailures } from "../failures"
import { NextCursor, pageOf, pageQuery } from "../page"
import { asAdmin } from "../guard"
import { listUsers } from "../service"

const failures = [...adminFailures, "StoreUnavailable"] as const

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

export const listUsersRoute = (respond: Respond) =>
  new Elysia().get(
    "/admin/users",
    ({ request, query }) =>
      respond(request, failures,
        asAdmin(
          request,
          pageOf("users", query, listUsers, (u) => ({ id: u.id, email: u.email, tier: u.tier, stripe_customer_id: u.stripeCustomerId, created_at: new Date(u.createdAt).toISOString() })),
        ),
      ),
    {
      query: Page,
      response: respond.documented({ 200: Users }, allOf(failures, inputFailures)),
      detail: { operationId: "adminListUsers", tags: ["admin"], summary: "List users" },
    },
  )

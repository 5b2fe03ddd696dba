// The operator console, present only when ADMIN_TOKEN is set: the pool, the
// money (reconciliation and audit) and users and keys. It signs in with the
// admin token once (admin-session.ts), then calls the admin API in process
// with the token the server holds; the browser never holds the token.
import { Elysia, t } from "elysia"
import type { Config } from "../../../platform/config/config"
import { viaHttps } from "../../../platform/http/request-url"
import { tokenMatches } from "../../admin/guard"
import { periodOf } from "../../../platform/period"
import { ADMIN_COOKIE, ADMIN_SESSION_MS, adminCookieValue, adminCsrf, adminSessionValid } from "../admin-session"
import { cookieValue } from "../csrf"
import { html } from "../html"
import { adminNav, page, type Flash } from "../layout"
import type { InternalApi } from "../internal-api"
import { adminSignInForm } from "../pages/auth"
import { adminKeysPage, moneyPage, poolPage, type AdminKey, type AdminUser, type PoolWallet } from "../pages/admin"
import { checkedForm, detailOf, forbiddenForm, htmlPage, preSession, preSessionFormOk, redirect, refusedPage } from "./respond"

const DONE: Record<string, Flash> = {
  checked: { kind: "ok", text: "Balances checked." },
  updated: { kind: "ok", text: "The key was updated." },
}
const Done = t.Object({ done: t.Optional(t.String({ maxLength: 20 })) })
const hidden = { detail: { hide: true } } as const
const PAGE = 500

/** The limits form as PATCH /admin/keys/{id} takes it: an empty field is the tier's (null); anything else is sent as typed, for the API to judge. */
export const limitsPatch = (form: Record<string, string>) =>
  Object.fromEntries(
    ["rate_limit_per_minute", "monthly_quota", "concurrency_limit", "monthly_spend_cap_micro_usd"].map((field) => {
      const raw = (form[field] ?? "").trim()
      return [field, raw === "" ? null : /^\d{1,15}$/.test(raw) ? Number(raw) : raw]
    }),
  )

export const adminConsole = (api: InternalApi, config: Config, adminToken: string) => {
  const sessionOf = (request: Request) => {
    const cookie = cookieValue(request.headers.get("cookie"), ADMIN_COOKIE)
    return cookie && adminSessionValid(adminToken, cookie, Date.now()) ? { csrf: adminCsrf(adminToken, cookie) } : undefined
  }
  const call = (request: Request, method: "GET" | "POST" | "PATCH", path: string, json?: unknown) => api(request, method, path, { auth: { bearer: adminToken }, ...(json === undefined ? {} : { json }) })

  const signedIn = async (request: Request, current: string, run: (s: { csrf: string }, nav: ReturnType<typeof adminNav>) => Promise<Response>) => {
    const s = sessionOf(request)
    return s ? run(s, adminNav(current, s.csrf)) : redirect("/console/admin/login")
  }
  const act = (request: Request, body: unknown, run: (form: Record<string, string>, nav: ReturnType<typeof adminNav>) => Promise<Response>) =>
    signedIn(request, "/console/admin", async (s, nav) => {
      const form = checkedForm(request, body, s.csrf, config.trustProxy)
      return form ? run(form, nav) : forbiddenForm(nav)
    })

  /** Every page of an admin list, up to PAGE rows. */
  const all = async <Row>(request: Request, path: string, field: string): Promise<{ rows: Array<Row>; truncated: boolean } | Awaited<ReturnType<typeof call>>> => {
    const answer = await call(request, "GET", `${path}?limit=${PAGE}`)
    if (answer.status !== 200) return answer
    return { rows: answer.body[field] as Array<Row>, truncated: answer.body.next !== null }
  }

  const keyAction = (path: (id: string) => string, method: "POST" | "PATCH", bodyOf: (form: Record<string, string>) => unknown) =>
    ({ request, body, params }: { request: Request; body: unknown; params: { id: string } }) =>
      act(request, body, async (form, nav) => {
        const done = await call(request, method, path(encodeURIComponent(params.id)), bodyOf(form))
        return done.status === 200 ? redirect("/console/admin/keys?done=updated") : htmlPage(page("Users and keys", nav, html`<h1>Not changed</h1><p>${detailOf(done)}</p><p><a href="/console/admin/keys">Back</a></p>`), done.status)
      })

  return new Elysia()
    .get("/console/admin/login", ({ request }) => {
      const pre = preSession(request, config.trustProxy)
      return htmlPage(page("Operator sign-in", undefined, adminSignInForm(pre.token)), 200, { "set-cookie": pre.cookie })
    }, hidden)
    .post("/console/admin/login", ({ request, body }) => {
      const form = preSessionFormOk(request, body, config.trustProxy)
      if (!form) return forbiddenForm()
      if (!tokenMatches(form.token, adminToken)) return htmlPage(page("Operator sign-in", undefined, adminSignInForm(preSession(request, config.trustProxy).token), { kind: "error", text: "That is not the admin token." }), 401)
      const value = adminCookieValue(adminToken, Date.now() + ADMIN_SESSION_MS)
      return redirect("/console/admin", { "set-cookie": `${ADMIN_COOKIE}=${value}; Path=/console/admin; HttpOnly; SameSite=Strict; Max-Age=${ADMIN_SESSION_MS / 1000}${viaHttps(request, config.trustProxy) ? "; Secure" : ""}` })
    }, hidden)
    .post("/console/admin/logout", ({ request, body }) =>
      act(request, body, async () => redirect("/console/admin/login", { "set-cookie": `${ADMIN_COOKIE}=; Path=/console/admin; HttpOnly; SameSite=Strict; Max-Age=0` })), hidden)
    .get("/console/admin", ({ request, query }) =>
      signedIn(request, "/console/admin", async (s, nav) => {
        const [pool, refill] = await Promise.all([all<PoolWallet>(request, "/admin/pool", "wallets"), call(request, "GET", "/admin/pool/refill-report")])
        if (!("rows" in pool)) return refusedPage(pool, nav)
        if (refill.status !== 200) return refusedPage(refill, nav)
        return htmlPage(page("Pool", nav, poolPage(pool.rows, refill.body, s.csrf), query.done && Object.hasOwn(DONE, query.done) ? DONE[query.done] : undefined))
      }), { query: Done, ...hidden })
    .get("/console/admin/pool/refill.csv", ({ request }) =>
      signedIn(request, "/console/admin", async (_s, nav) => {
        const csv = await call(request, "GET", "/admin/pool/refill-report?format=csv")
        if (csv.status !== 200) return refusedPage(csv, nav)
        return new Response(String(csv.body), {
          headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": 'attachment; filename="refill-report.csv"', "cache-control": "no-store", "x-content-type-options": "nosniff" },
        })
      }), hidden)
    .post("/console/admin/pool/check", ({ request, body }) =>
      act(request, body, async (_form, nav) => {
        const done = await call(request, "POST", "/admin/pool/check")
        return done.status === 200 ? redirect("/console/admin?done=checked") : refusedPage(done, nav)
      }), hidden)
    .get("/console/admin/money", ({ request, query }) =>
      signedIn(request, "/console/admin/money", async (_s, nav) => {
        const period = query.period && /^\d{4}-(0[1-9]|1[0-2])$/.test(query.period) ? query.period : periodOf(Date.now())
        const [reconciliation, audit] = await Promise.all([call(request, "GET", `/admin/billing/reconciliation?period=${period}`), call(request, "GET", `/admin/audit?period=${period}`)])
        if (reconciliation.status !== 200) return refusedPage(reconciliation, nav)
        return htmlPage(page("Money", nav, moneyPage(period, reconciliation.body, audit.status === 200 ? audit.body : { error: detailOf(audit) })))
      }), { query: t.Object({ period: t.Optional(t.String({ maxLength: 7 })) }), ...hidden })
    .get("/console/admin/keys", ({ request, query }) =>
      signedIn(request, "/console/admin/keys", async (s, nav) => {
        const [users, keys] = await Promise.all([all<AdminUser>(request, "/admin/users", "users"), all<AdminKey>(request, "/admin/keys", "keys")])
        if (!("rows" in users)) return refusedPage(users, nav)
        if (!("rows" in keys)) return refusedPage(keys, nav)
        const q = (query.q ?? "").trim().toLowerCase()
        const emails = new Map(users.rows.map((u) => [u.id, u.email.toLowerCase()]))
        const matches = q === "" ? keys.rows : keys.rows.filter((k) => [emails.get(k.user_id) ?? "", k.name.toLowerCase(), k.prefix.toLowerCase(), k.id.toLowerCase()].some((f) => f.includes(q)))
        return htmlPage(page("Users and keys", nav, adminKeysPage(query.q ?? "", users.rows, matches, s.csrf, users.truncated || keys.truncated), query.done && Object.hasOwn(DONE, query.done) ? DONE[query.done] : undefined))
      }), { query: t.Object({ q: t.Optional(t.String({ maxLength: 200 })), done: t.Optional(t.String({ maxLength: 20 })) }), ...hidden })
    .post("/console/admin/keys/:id/tier", keyAction((id) => `/admin/keys/${id}`, "PATCH", (form) => ({ tier: form.tier })), { params: t.Object({ id: t.String({ maxLength: 100 }) }), ...hidden })
    .post("/console/admin/keys/:id/limits", keyAction((id) => `/admin/keys/${id}`, "PATCH", limitsPatch), { params: t.Object({ id: t.String({ maxLength: 100 }) }), ...hidden })
    .post("/console/admin/keys/:id/suspend", keyAction((id) => `/admin/keys/${id}/suspend`, "POST", (form) => ({ reason: form.reason ?? "" })), { params: t.Object({ id: t.String({ maxLength: 100 }) }), ...hidden })
    .post("/console/admin/keys/:id/reinstate", keyAction((id) => `/admin/keys/${id}/reinstate`, "POST", () => ({})), { params: t.Object({ id: t.String({ maxLength: 100 }) }), ...hidden })
}

// The developer console: sign-up and sign-in, keys, usage, agents, billing.
// Every read and action goes through the public API (internal-api.ts) with
// the browser's session cookie; a form that acts carries the session's form
// token (csrf.ts).
import { Elysia, t } from "elysia"
import { SESSION_COOKIE, clearedSessionCookie, sessionCookie, sessionTokenFrom } from "../../auth/session-token"
import type { Config } from "../../../platform/config/config"
import { viaHttps } from "../../../platform/http/request-url"
import { csrfForSession } from "../csrf"
import type { ApiAnswer, InternalApi } from "../internal-api"
import { html } from "../html"
import { consoleCspWithStripe, developerNav, page, type Flash } from "../layout"
import { agentPage, agentsPage } from "../pages/agents"
import { signInForm, signUpForm } from "../pages/auth"
import { billingPage } from "../pages/billing"
import { keysPage, revokeConfirm, secretOnce, type ListedKey } from "../pages/keys"
import { usagePage } from "../pages/usage"
import { checkedForm, detailOf, forbiddenForm, htmlPage, preSession, preSessionFormOk, publicOrigin, redirect, refusedPage } from "./respond"

const DONE: Record<string, Flash> = {
  revoked: { kind: "ok", text: "The key was revoked." },
  subscribed: { kind: "ok", text: "Subscribed: your keys have the new tier's limits now." },
  cancelled: { kind: "ok", text: "Your subscription ends at the end of this period." },
}

const flashOf = (query: { done?: string | undefined }): Flash | undefined => (query.done && Object.hasOwn(DONE, query.done) ? DONE[query.done] : undefined)

const Done = t.Object({ done: t.Optional(t.String({ maxLength: 20 })) })
const IdParams = t.Object({ id: t.String({ maxLength: 100 }) })
const hidden = { detail: { hide: true } } as const

export const developerConsole = (api: InternalApi, config: Config) => {
  /** The signed-in session from the cookie, or undefined. */
  const sessionOf = (request: Request) => {
    const token = sessionTokenFrom(null, request.headers.get("cookie"))
    return token ? { token, cookie: `${SESSION_COOKIE}=${token}`, csrf: csrfForSession(token) } : undefined
  }
  type Session = NonNullable<ReturnType<typeof sessionOf>>

  const get = (request: Request, s: Session, path: string) => api(request, "GET", path, { auth: { cookie: s.cookie } })

  /** Runs a signed-in page: to the sign-in page without a session, or when the API says it has ended. */
  const signedIn = async (request: Request, current: string, run: (s: Session, nav: ReturnType<typeof developerNav>) => Promise<Response>) => {
    const s = sessionOf(request)
    if (!s) return redirect("/console/login")
    const response = await run(s, developerNav(current, s.csrf))
    return response.status === 401 ? redirect("/console/login", { "set-cookie": clearedSessionCookie(viaHttps(request, config.trustProxy)) }) : response
  }

  const keysView = async (request: Request, s: Session, nav: ReturnType<typeof developerNav>, shown?: ReturnType<typeof secretOnce>, flash?: Flash, status = 200) => {
    const listed = await get(request, s, "/v1/keys")
    if (listed.status !== 200) return refusedPage(listed, nav)
    return htmlPage(page("Keys", nav, keysPage(listed.body.keys as Array<ListedKey>, s.csrf, shown), flash), status)
  }

  /** A form posted by a signed-in page: checked, then `act`; a refusal re-renders the keys page with the API's reason. */
  const act = (request: Request, body: unknown, current: string, run: (s: Session, form: Record<string, string>, nav: ReturnType<typeof developerNav>) => Promise<Response>) =>
    signedIn(request, current, async (s, nav) => {
      const form = checkedForm(request, body, s.csrf, config.trustProxy)
      return form ? run(s, form, nav) : forbiddenForm(nav)
    })

  const refusedOnKeys = (request: Request, s: Session, nav: ReturnType<typeof developerNav>, answer: ApiAnswer) =>
    answer.status === 401 ? Promise.resolve(htmlPage("", 401)) : keysView(request, s, nav, undefined, { kind: "error", text: detailOf(answer) }, answer.status)

  const startSession = (request: Request, token: string) => sessionCookie(token, Math.floor(config.sessionTtlMs / 1000), viaHttps(request, config.trustProxy))

  return new Elysia()
    .get("/console", ({ request }) => redirect(sessionOf(request) ? "/console/keys" : "/console/login"), hidden)
    .get("/console/login", ({ request }) => {
      const pre = preSession(request, config.trustProxy)
      return htmlPage(page("Sign in", undefined, signInForm(pre.token)), 200, { "set-cookie": pre.cookie })
    }, hidden)
    .post("/console/login", async ({ request, body }) => {
      const form = preSessionFormOk(request, body, config.trustProxy)
      if (!form) return forbiddenForm()
      const answer = await api(request, "POST", "/v1/auth/login", { json: { email: form.email ?? "", password: form.password ?? "" } })
      if (answer.status !== 200) return htmlPage(page("Sign in", undefined, signInForm(preSession(request, config.trustProxy).token, form.email), { kind: "error", text: detailOf(answer) }), answer.status)
      return redirect("/console/keys", { "set-cookie": startSession(request, answer.body.session.token) })
    }, hidden)
    .get("/console/signup", ({ request }) => {
      const pre = preSession(request, config.trustProxy)
      return htmlPage(page("Create an account", undefined, signUpForm(pre.token)), 200, { "set-cookie": pre.cookie })
    }, hidden)
    .post("/console/signup", async ({ request, body }) => {
      const form = preSessionFormOk(request, body, config.trustProxy)
      if (!form) return forbiddenForm()
      const credentials = { email: form.email ?? "", password: form.password ?? "" }
      const registered = await api(request, "POST", "/v1/auth/register", { json: credentials })
      if (registered.status !== 201) return htmlPage(page("Create an account", undefined, signUpForm(preSession(request, config.trustProxy).token, form.email), { kind: "error", text: detailOf(registered) }), registered.status)
      const login = await api(request, "POST", "/v1/auth/login", { json: credentials })
      if (login.status !== 200) return redirect("/console/login")
      const token: string = login.body.session.token
      const s = { token, cookie: `${SESSION_COOKIE}=${token}`, csrf: csrfForSession(token) }
      const view = await keysView(request, s, developerNav("/console/keys", s.csrf), secretOnce("Your first API key", registered.body.api_key.key))
      view.headers.set("set-cookie", startSession(request, token))
      return view
    }, hidden)
    .post("/console/logout", ({ request, body }) =>
      act(request, body, "/console/keys", async (s) => {
        await api(request, "POST", "/v1/auth/logout", { auth: { cookie: s.cookie } })
        return redirect("/console/login", { "set-cookie": clearedSessionCookie(viaHttps(request, config.trustProxy)) })
      }), hidden)
    .get("/console/keys", ({ request, query }) => signedIn(request, "/console/keys", (s, nav) => keysView(request, s, nav, undefined, flashOf(query))), { query: Done, ...hidden })
    .post("/console/keys", ({ request, body }) =>
      act(request, body, "/console/keys", async (s, form, nav) => {
        const created = await api(request, "POST", "/v1/keys", { auth: { cookie: s.cookie }, json: { name: form.name ?? "", environment: form.environment === "test" ? "test" : "live" } })
        return created.status === 201 ? keysView(request, s, nav, secretOnce(`New key: ${created.body.name}`, created.body.key)) : refusedOnKeys(request, s, nav, created)
      }), hidden)
    .post("/console/keys/:id/roll", ({ request, body, params }) =>
      act(request, body, "/console/keys", async (s, form, nav) => {
        const grace = Number(form.grace_seconds ?? "0")
        const rolled = await api(request, "POST", `/v1/keys/${encodeURIComponent(params.id)}/roll`, { auth: { cookie: s.cookie }, json: { grace_seconds: Number.isSafeInteger(grace) ? grace : 0 } })
        return rolled.status === 200 ? keysView(request, s, nav, secretOnce(`Rolled: ${rolled.body.name}`, rolled.body.key)) : refusedOnKeys(request, s, nav, rolled)
      }), { params: IdParams, ...hidden })
    .get("/console/keys/:id/revoke", ({ request, params }) =>
      signedIn(request, "/console/keys", async (s, nav) => {
        const listed = await get(request, s, "/v1/keys")
        if (listed.status !== 200) return refusedPage(listed, nav)
        const key = (listed.body.keys as Array<ListedKey>).find((k) => k.id === params.id)
        return key ? htmlPage(page(`Revoke ${key.name}`, nav, revokeConfirm(key, s.csrf))) : htmlPage(page("Not found", nav, html`<h1>No such key</h1>`), 404)
      }), { params: IdParams, ...hidden })
    .post("/console/keys/:id/revoke", ({ request, body, params }) =>
      act(request, body, "/console/keys", async (s, _form, nav) => {
        const revoked = await api(request, "DELETE", `/v1/keys/${encodeURIComponent(params.id)}`, { auth: { cookie: s.cookie } })
        return revoked.status < 300 ? redirect("/console/keys?done=revoked") : refusedOnKeys(request, s, nav, revoked)
      }), { params: IdParams, ...hidden })
    .get("/console/usage", ({ request }) =>
      signedIn(request, "/console/usage", async (s, nav) => {
        const [keys, daily, history] = await Promise.all([get(request, s, "/v1/keys"), get(request, s, "/v1/usage/daily"), get(request, s, "/v1/usage/history?limit=50")])
        for (const answer of [keys, daily, history]) if (answer.status !== 200) return refusedPage(answer, nav)
        const points = (daily.body.days as Array<{ day: string; agent: { name: string }; calls: number; spend_micro_usd: number }>).map((d) => ({ day: d.day, agent: d.agent.name, calls: d.calls, spendMicroUsd: d.spend_micro_usd }))
        return htmlPage(page("Usage", nav, usagePage(keys.body.keys, { from: daily.body.from, to: daily.body.to, points }, history.body.rows)))
      }), hidden)
    .get("/console/agents", ({ request }) =>
      signedIn(request, "/console/agents", async (s, nav) => {
        const listed = await get(request, s, "/v1/agents")
        return listed.status === 200 ? htmlPage(page("Agents", nav, agentsPage(listed.body.agents))) : refusedPage(listed, nav)
      }), hidden)
    .get("/console/agents/:id", ({ request, params }) =>
      signedIn(request, "/console/agents", async (s, nav) => {
        const one = await get(request, s, `/v1/agents/${encodeURIComponent(params.id)}`)
        return one.status === 200 ? htmlPage(page(one.body.name, nav, agentPage(one.body, publicOrigin(request, config.trustProxy)))) : refusedPage(one, nav)
      }), { params: IdParams, ...hidden })
    .get("/console/billing", ({ request, query }) =>
      signedIn(request, "/console/billing", async (s, nav) => {
        const [account, invoices] = await Promise.all([get(request, s, "/v1/billing"), get(request, s, "/v1/billing/invoices")])
        if (account.status !== 200) return refusedPage(account, nav)
        // Stripe.js only where a card is taken, and only when Stripe bills.
        const publishableKey = account.body.stripe_enabled ? config.stripePublishableKey : undefined
        const body = billingPage(account.body, invoices.status === 200 ? invoices.body.invoices : undefined, s.csrf, publishableKey)
        return htmlPage(page("Billing", nav, body, flashOf(query), { stripe: publishableKey !== undefined }), 200, publishableKey ? { "content-security-policy": consoleCspWithStripe } : {})
      }), { query: Done, ...hidden })
    // The card form's first step: a SetupIntent's client secret for Stripe.js (JSON, not a page).
    .post("/console/billing/card", ({ request, body }) =>
      // Asked by console.js, which reads JSON: signed out is a JSON 401, not the sign-in page.
      sessionOf(request) === undefined ? Response.json({ error: "Your session has ended: sign in again." }, { status: 401 }) : act(request, body, "/console/billing", async (s) => {
        const setup = await api(request, "POST", "/v1/billing/card", { auth: { cookie: s.cookie } })
        return Response.json(setup.status === 200 ? { client_secret: setup.body.client_secret } : { error: detailOf(setup) }, { status: setup.status, headers: { "cache-control": "no-store" } })
      }), hidden)
    .post("/console/billing/subscribe", ({ request, body }) =>
      act(request, body, "/console/billing", async (s, form, nav) => {
        const done = await api(request, "POST", "/v1/billing/subscribe", { auth: { cookie: s.cookie }, json: { tier: form.tier === "pro" ? "pro" : "paid" } })
        return done.status < 300 ? redirect("/console/billing?done=subscribed") : refusedPage(done, nav)
      }), hidden)
    .post("/console/billing/cancel", ({ request, body }) =>
      act(request, body, "/console/billing", async (s, _form, nav) => {
        const done = await api(request, "POST", "/v1/billing/cancel", { auth: { cookie: s.cookie } })
        return done.status < 300 ? redirect("/console/billing?done=cancelled") : refusedPage(done, nav)
      }), hidden)
}

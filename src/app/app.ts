// Assembles the HTTP app from the runtime: edge rules (request id, body limit,
// content type, problem documents), OpenAPI, then each module's routes.
// Exported without a port so tests call `app.handle(request)`.
import { openapi } from "@elysiajs/openapi"
import { Effect } from "effect"
import { Elysia } from "elysia"
import { listKeysAdminRoute } from "../modules/admin/routes/list-keys"
import { listUsersRoute } from "../modules/admin/routes/list-users"
import { checkPoolRoute } from "../modules/admin/routes/check-pool"
import { createWalletsRoute } from "../modules/admin/routes/create-wallets"
import { rotatePoolRoute } from "../modules/admin/routes/rotate-pool"
import { sweepPoolRoute } from "../modules/admin/routes/sweep-pool"
import { listPoolRoute } from "../modules/admin/routes/list-pool"
import { poolRefillReportRoute } from "../modules/admin/routes/pool-refill-report"
import { updateKeyRoutes } from "../modules/admin/routes/update-key"
import { loginRoute } from "../modules/auth/routes/login"
import { logoutRoute } from "../modules/auth/routes/logout"
import { registerRoute } from "../modules/auth/routes/register"
import { callAgentRoute } from "../modules/gateway/routes/call-agent"
import { getAgentRoute } from "../modules/catalogue/routes/get-agent"
import { listAgentsRoute } from "../modules/catalogue/routes/list-agents"
import { storageRoutes } from "../modules/storage/routes"
import { usageRoutes } from "../modules/usage/routes"
import { healthz } from "../modules/health/routes/healthz"
import { docsRoutes } from "../modules/docs/routes"
import { consoleRoutes } from "../modules/console/routes"
import { webhookEndpointRoutes } from "../modules/webhooks/routes"
import { metricsRoute } from "../modules/observability/routes/metrics"
import { internalApi } from "../modules/console/internal-api"
import { createKeyRoute } from "../modules/keys/routes/create-key"
import { currentKeyRoute } from "../modules/keys/routes/current-key"
import { listKeysRoute } from "../modules/keys/routes/list-keys"
import { revokeKeyRoute } from "../modules/keys/routes/revoke-key"
import { rollKeyRoute } from "../modules/keys/routes/roll-key"
import { readyz } from "../modules/health/routes/readyz"
import { SANDBOX_JSON_RPC_PATH, sandboxEdgeError, sandboxRoutes } from "../modules/sandbox/routes"
import { stripeWebhook } from "../modules/billing/routes/stripe-webhook"
import { stripeThinWebhook } from "../modules/billing/routes/stripe-thin-webhook"
import { billingAccountRoute } from "../modules/billing/routes/billing-account"
import { cancelSubscriptionRoute } from "../modules/billing/routes/cancel-subscription"
import { listInvoicesRoute } from "../modules/billing/routes/list-invoices"
import { setupCardRoute } from "../modules/billing/routes/setup-card"
import { subscribeRoute } from "../modules/billing/routes/subscribe"
import { billingReconciliationRoute } from "../modules/admin/routes/billing-reconciliation"
import { moneyAuditRoute } from "../modules/audit/routes/money-audit"
import { listAlertsRoute } from "../modules/alerts/routes/list-alerts"
import type { Config } from "../platform/config/config"
import { BodyTooLarge, InvalidInput, JsonTooDeep, MalformedJson, RouteNotFound, UnsupportedMediaType, type FieldProblem } from "../platform/http/errors"
import { problemResponse } from "../platform/http/problem"
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../platform/http/json-depth"
import { keepRawBody, keepReceivedFields } from "../platform/http/raw-body"
import { requestIdOf } from "../platform/http/request-id"
import { VERSION } from "../version"
import { appProblems } from "./error-map"
import "./route-types"
import type { AppRunner } from "./layers"
import { internalProblem, makeRespond } from "../platform/http/respond"
import { urlOf } from "../platform/http/request-url"
import { securitySchemes } from "../platform/http/security"

const isForm = (contentType: string) => /^application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType)

/** Health probes and the sandbox's routes (on the sandbox network the gateway calls them itself): logged at debug. */
export const isQuietPath = (path: string) => path === "/healthz" || path === "/readyz" || path.startsWith("/sandbox/")

const isJson = (contentType: string) => /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(contentType)

/** A body without a declared length (chunked) is read only up to the limit, never whole. */
const readCapped = async (body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> => {
  const reader = body.getReader()
  const chunks: Array<Uint8Array> = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > limit) {
      await reader.cancel().catch(() => undefined)
      throw new BodyTooLarge({ limitBytes: limit })
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks, total)
}

const readBody = async (request: Request, limit: number): Promise<string> => {
  const declared = Number(request.headers.get("content-length") ?? "NaN")
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLarge({ limitBytes: limit })
  const bytes = Number.isFinite(declared) || request.body === null ? new Uint8Array(await request.arrayBuffer()) : await readCapped(request.body, limit)
  if (bytes.byteLength > limit) throw new BodyTooLarge({ limitBytes: limit })
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes)
  } catch {
    throw new MalformedJson({ reason: "the body is not UTF-8" })
  }
}

const validationProblems = (error: unknown): ReadonlyArray<FieldProblem> => {
  const all = (error as { all?: ReadonlyArray<{ path?: string; message?: string; summary?: string }> }).all ?? []
  return all.slice(0, 20).map((e) => ({
    field: (e.path ?? "").replace(/^\//, "").replaceAll("/", ".") || "(body)",
    message: e.summary ?? e.message ?? "invalid",
  }))
}

/** The problem response of a known failure at the edge; undefined for anything else. */
const problemFor = (error: unknown, request: Request): Response | undefined => {
  const rendered = appProblems.render(error, requestIdOf(request))
  return rendered && problemResponse(rendered.body, rendered.headers)
}

export const createApp = (config: Config, runtime: AppRunner) => {
  const respond = makeRespond(runtime, appProblems)
  // Access lines are written after the response; by then a test may have
  // disposed the runtime, and a lost access line must not become an error.
  const log = (level: "debug" | "info" | "warn" | "error", msg: string, fields: Record<string, unknown>) => {
    try {
      runtime.runSync((level === "debug" ? Effect.logDebug : level === "info" ? Effect.logInfo : level === "warn" ? Effect.logWarning : Effect.logError)(msg, fields))
    } catch {
      /* runtime disposed */
    }
  }

  // The console renders the public API's answers, asked in process.
  let handle: (request: Request) => Promise<Response> = () => Promise.reject(new Error("the app is not built yet"))
  const api = internalApi(() => handle)

  const app = new Elysia()
    .use(
      openapi({
        // The page is docsRoutes' own (bundled, no CDN); the plugin serves the document.
        provider: null,
        path: "/docs",
        specPath: "/docs/json",
        documentation: {
          info: { title: "TDK Core", version: VERSION, description: "Call paid Tetto agents with an HTTP API key." },
          components: { securitySchemes },
          tags: [
            { name: "agents", description: "Call paid agents with your API key" },
            { name: "storage", description: "Typed memory and answers operations; each is a paid call to the configured storage agent, namespaced to your key" },
            { name: "usage", description: "Your calls and spend" },
            { name: "auth", description: "Accounts and sessions" },
            { name: "keys", description: "API key management (session) and key checks (API key)" },
            { name: "admin", description: "Operator API, present only when ADMIN_TOKEN is set" },
            ...(config.network === "sandbox" ? [{ name: "sandbox", description: "The sandbox network: Tetto-compatible marketplace, Solana JSON-RPC ledger, faucet (TETTO_NETWORK=sandbox only)" }] : []),
            { name: "billing", description: "Stripe billing" },
            { name: "webhooks", description: "Your webhook endpoints: signed events about quotas, spend caps, keys and payments" },
            { name: "operations", description: "Prometheus metrics (present only when METRICS_TOKEN is set)" },
            { name: "health", description: "Liveness and readiness" },
          ],
        },
      }),
    )
    .onRequest(({ request, set }) => {
      set.headers["x-request-id"] = requestIdOf(request)
      ;(request as unknown as { startedAt: number }).startedAt = performance.now()
    })
    // Every body is parsed here; a route that takes one also declares
    // `parse: "json"`, which documents its request body as JSON (this parser
    // answers first, so Elysia's own never runs).
    .onParse(async ({ request, contentType }) => {
      const hasBody = request.body !== null && (request.headers.get("content-length") ?? "") !== "0"
      if (!hasBody) return {}
      // The console's forms are the one place a urlencoded body is read.
      if (isForm(contentType ?? "") && urlOf(request).pathname.startsWith("/console/")) return Object.fromEntries(new URLSearchParams(await readBody(request, config.bodyLimitBytes)))
      if (!isJson(contentType ?? "")) {
        const text = await readBody(request, config.bodyLimitBytes)
        if (text.length === 0) return {}
        throw new UnsupportedMediaType({ contentType: contentType ?? "" })
      }
      const text = await readBody(request, config.bodyLimitBytes)
      keepRawBody(request, text)
      if (text.trim().length === 0) return {}
      if (nestsDeeperThan(text, MAX_JSON_DEPTH)) throw new JsonTooDeep({ maxDepth: MAX_JSON_DEPTH })
      let value: unknown
      try {
        value = JSON.parse(text) as unknown
      } catch (e) {
        throw new MalformedJson({ reason: e instanceof Error ? e.message : "parse error" })
      }
      // Every route takes a JSON object (JSON-RPC aside). Checked here because
      // Elysia quietly turns a number, string, array or null into {} for a
      // schema whose fields are all optional, and the call would go through.
      if ((typeof value !== "object" || value === null || Array.isArray(value)) && urlOf(request).pathname.replace(/\/+$/, "") !== SANDBOX_JSON_RPC_PATH) {
        throw new InvalidInput({ detail: "The request body must be a JSON object.", errors: [{ field: "(body)", message: "expected a JSON object" }] })
      }
      if (typeof value === "object" && value !== null && !Array.isArray(value)) keepReceivedFields(request, Object.keys(value))
      return value
    })
    .onError(({ code, error, request }) => {
      // Sandbox routes answer in the protocol's envelope, as the real platform does.
      const sandboxAnswer = config.network === "sandbox" ? sandboxEdgeError(code, error, request) : undefined
      if (sandboxAnswer) return sandboxAnswer
      // Elysia wraps whatever a parser throws in a ParseError; ours carry the real answer.
      const mapped = problemFor(error, request) ?? (code === "PARSE" ? problemFor((error as { cause?: unknown }).cause, request) : undefined)
      if (mapped) return mapped
      const url = urlOf(request)
      if (code === "NOT_FOUND") return problemFor(new RouteNotFound({ method: request.method, path: url.pathname }), request)
      if (code === "PARSE") return problemFor(new MalformedJson({ reason: "the body could not be parsed" }), request)
      if (code === "VALIDATION" && (error as { type?: string }).type !== "response") {
        const errors = validationProblems(error)
        return problemFor(new InvalidInput({ detail: `Invalid ${(error as { type?: string }).type ?? "input"}: ${errors.map((e) => `${e.field}: ${e.message}`).join("; ")}`, errors }), request)
      }
      log("error", "unhandled error", { code: String(code), error: error instanceof Error ? `${error.name}: ${error.message}` : String(error), path: url.pathname })
      return problemResponse(internalProblem(requestIdOf(request)))
    })
    .onAfterResponse(({ request, set, responseValue }) => {
      // Runs after the answer is sent, outside any error handler: whatever it
      // throws would end the process, so nothing may escape it.
      try {
        const started = (request as unknown as { startedAt?: number }).startedAt
        const path = urlOf(request).pathname
        // Probes and this server's own calls to its sandbox would drown the lines worth reading.
        log(isQuietPath(path) ? "debug" : "info", "request", {
          method: request.method,
          path: urlOf(request).pathname,
          status: responseValue instanceof Response ? responseValue.status : typeof set.status === "number" ? set.status : 200,
          duration_ms: started === undefined ? undefined : Math.round((performance.now() - started) * 1000) / 1000,
          request_id: requestIdOf(request),
        })
      } catch {
        /* an access line is not worth the process */
      }
    })
    .use(docsRoutes())
    .use(registerRoute(respond))
    .use(loginRoute(respond, config))
    .use(logoutRoute(respond))
    .use(createKeyRoute(respond))
    .use(listKeysRoute(respond))
    .use(rollKeyRoute(respond))
    .use(revokeKeyRoute(respond))
    .use(currentKeyRoute(respond))
    .use(listAgentsRoute(respond))
    .use(getAgentRoute(respond))
    .use(callAgentRoute(respond))
    .use(storageRoutes(respond))
    .use(usageRoutes(respond))
    .use(config.adminToken === undefined ? new Elysia() : adminRoutes(respond))
    .use(config.network === "sandbox" ? sandboxRoutes((program) => runtime.runPromiseExit(program)) : new Elysia())
    .use(stripeWebhook(respond))
    .use(stripeThinWebhook(respond))
    .use(billingAccountRoute(respond))
    .use(setupCardRoute(respond))
    .use(subscribeRoute(respond))
    .use(cancelSubscriptionRoute(respond))
    .use(listInvoicesRoute(respond))
    .use(webhookEndpointRoutes(respond))
    .use(consoleRoutes(api, config))
    .use(config.metricsToken === undefined ? new Elysia() : metricsRoute(respond))
    // Last, so the reference lists them last.
    .use(healthz())
    .use(readyz(respond))
  handle = (request) => app.handle(request)
  return app
}

const adminRoutes = (respond: ReturnType<typeof makeRespond>) =>
  new Elysia()
    .use(listUsersRoute(respond))
    .use(listKeysAdminRoute(respond))
    .use(updateKeyRoutes(respond))
    .use(listPoolRoute(respond))
    .use(checkPoolRoute(respond))
    .use(createWalletsRoute(respond))
    .use(rotatePoolRoute(respond))
    .use(sweepPoolRoute(respond))
    .use(poolRefillReportRoute(respond))
    .use(billingReconciliationRoute(respond))
    .use(moneyAuditRoute(respond))
    .use(listAlertsRoute(respond))

export type App = ReturnType<typeof createApp>

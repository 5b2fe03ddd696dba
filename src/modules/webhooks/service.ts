// Developer webhook endpoints: registered with a signing secret shown once,
// listed with their recent deliveries, deleted (pending deliveries go with them).
import { Clock, Effect } from "effect"
import bs58 from "bs58"
import { AppConfig } from "../../platform/config/service"
import { InvalidInput } from "../../platform/http/errors"
import { newId } from "../../platform/ids"
import { Store } from "../../store/store"
import { endpointUrlProblem } from "./endpoint-url"
import { WebhookEndpointLimit, WebhookEndpointNotFound } from "./errors"
import { EVENT_TYPES } from "./events"
import { Keyring } from "../pool/keyring"
import { sealSecret } from "./secret-box"

export const MAX_ENDPOINTS = 16

const newSecret = () => `whsec_${bs58.encode(crypto.getRandomValues(new Uint8Array(32)))}`

export const createEndpoint = Effect.fn("Webhooks.createEndpoint")(function* (userId: string, url: string, events: ReadonlyArray<string> | undefined) {
  const config = yield* AppConfig
  const store = yield* Store
  const problem = endpointUrlProblem(url, config.webhookAllowPrivateHosts)
  if (problem) return yield* new InvalidInput({ detail: `url ${problem}.`, errors: [{ field: "url", message: problem }] })
  const wanted = events === undefined || events.length === 0 ? ["*"] : [...new Set(events)]
  const unknown = wanted.filter((e) => e !== "*" && !(EVENT_TYPES as ReadonlyArray<string>).includes(e))
  if (unknown.length > 0) return yield* new InvalidInput({ detail: `Unknown event types: ${unknown.join(", ").slice(0, 200)}. Known: ${EVENT_TYPES.join(", ")}, or *.`, errors: [{ field: "events", message: "unknown event type" }] })
  const now = yield* Clock.currentTimeMillis
  const row = { id: newId("whe", now), userId, url, secret: newSecret(), events: wanted, createdAt: now }
  // Stored sealed; the caller shows the secret once.
  if (!(yield* store.webhooks.createEndpoint({ ...row, secret: sealSecret(yield* Keyring, row.id, row.secret) }, MAX_ENDPOINTS))) return yield* new WebhookEndpointLimit({ limit: MAX_ENDPOINTS })
  return row
})

export const listEndpoints = Effect.fn("Webhooks.listEndpoints")(function* (userId: string) {
  const store = yield* Store
  const endpoints = yield* store.webhooks.endpoints(userId)
  return yield* Effect.forEach(endpoints, (e) => Effect.map(store.webhooks.deliveries(e.id, 10), (deliveries) => ({ endpoint: e, deliveries })))
})

export const deleteEndpoint = Effect.fn("Webhooks.deleteEndpoint")(function* (userId: string, id: string) {
  const store = yield* Store
  if (!(yield* store.webhooks.deleteEndpoint(userId, id, yield* Clock.currentTimeMillis))) return yield* new WebhookEndpointNotFound({ endpointId: id })
})

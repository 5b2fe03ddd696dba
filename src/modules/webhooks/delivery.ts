// Delivery of queued events: POST the body, signed with the endpoint's
// secret (TDK-Signature, as Stripe signs), or an e-mail to the account's
// address; a 2xx (or the mail server taking the message) delivers it,
// anything else tries again later, backing off, and gives up after the last
// attempt.
import { Clock, Effect } from "effect"
import { SIGNATURE_HEADER, signatureOf } from "../../platform/signing"
import { lookup } from "node:dns/promises"
import { isIP } from "node:net"
import { checkServerIdentity, type PeerCertificate } from "node:tls"
import { AppConfig } from "../../platform/config/service"
import type { DeliveryRow } from "../../store/webhooks/repo"
import { Store } from "../../store/store"
import { VERSION } from "../../version"
import { emailOf, sendEmail } from "./email"
import { hostOf, isPrivateAddress } from "./endpoint-url"
import { isEmailEndpoint } from "./events"
import { Keyring } from "../pool/keyring"
import { openSecret } from "./secret-box"

/** Waits after each failed attempt, ms: 30 s, 2 min, 10 min, 30 min, 1 h, 3 h, 6 h; then it is given up (about 11 hours in all). */
export const RETRY_DELAYS_MS = [30_000, 120_000, 600_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000] as const
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1

/** After attempt number `attempts` failed: when to try again, or undefined to give up. */
export const nextAttemptAfter = (attempts: number, now: number): number | undefined => {
  const delay = RETRY_DELAYS_MS[attempts - 1]
  return delay === undefined ? undefined : now + delay
}

const TIMEOUT_MS = 5_000
const BATCH = 64
const CONCURRENCY = 16

export const deliverDue = Effect.fn("Webhooks.deliverDue")(function* () {
  const store = yield* Store
  const config = yield* AppConfig
  const keyring = yield* Keyring
  // The secret is opened for the post and not kept; one that cannot be opened (its master key is gone) is an attempt that failed.
  const toEndpoint = (endpoint: { readonly id: string; readonly url: string; readonly secret: string }, d: DeliveryRow, now: number) => {
    const secret = openSecret(keyring, endpoint.id, endpoint.secret)
    if (typeof secret === "string") return post({ url: endpoint.url, secret }, d, now, config.webhookAllowPrivateHosts)
    return Effect.as(
      Effect.logError("webhook endpoint's signing secret cannot be opened; nothing was sent", { endpoint_id: endpoint.id, error: secret._tag, key_id: "keyId" in secret ? secret.keyId : undefined }),
      { status: null, error: "the endpoint's signing secret cannot be opened (master key missing)" } satisfies Attempt,
    )
  }
  const due = yield* store.webhooks.due(yield* Clock.currentTimeMillis, BATCH)
  let delivered = 0
  yield* Effect.forEach(
    due,
    (d) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const attempts = d.attempts + 1
        const result = isEmailEndpoint(d.endpointId) ? yield* byEmail(d) : yield* Effect.flatMap(store.webhooks.endpoint(d.endpointId), (endpoint) => (endpoint ? toEndpoint(endpoint, d, now) : Effect.succeed(undefined)))
        if (result === undefined) {
          yield* store.webhooks.attempted(d.id, { state: "failed", attempts: d.attempts, nextAttemptAt: now, status: null, error: "endpoint deleted", now })
          return
        }
        const ok = result.status !== null && result.status >= 200 && result.status < 300
        const retryAt = ok ? undefined : nextAttemptAfter(attempts, now)
        const state = ok ? "delivered" : retryAt === undefined ? "failed" : "pending"
        yield* store.webhooks.attempted(d.id, { state, attempts, nextAttemptAt: retryAt ?? now, status: result.status, error: result.error, now })
        if (ok) delivered++
        else if (state === "failed") yield* Effect.logWarning("developer webhook given up", { endpoint_id: d.endpointId, event_id: d.eventId, attempts, error: result.error })
      }),
    { concurrency: CONCURRENCY, discard: true },
  )
  return { attempted: due.length, delivered }
})

type Attempt = { readonly status: number | null; readonly error: string | null }

/** What one delivery connects to: a URL by address, and the endpoint's name for the Host header and the certificate. */
export type Pinned = {
  readonly url: string
  readonly host: string
  readonly name: string
  /** Over https to a name: the server's certificate is checked against the name (the connection is by address). */
  readonly tls?: { readonly serverName: string; readonly checkServerIdentity: (host: string, cert: PeerCertificate) => Error | undefined }
}

/**
 * Where one delivery connects: the endpoint's URL with its host replaced by
 * an address the name resolved to (and was checked against), so a name that
 * answers otherwise a moment later (DNS rebinding) is not asked again. The
 * name stays in the Host header and, over https, is the name the server's
 * certificate must carry. Undefined when the address cannot stand in a URL
 * (an IPv6 zone id): such a delivery is not made by name instead. Pure.
 */
export const pinnedTo = (raw: string, address: string): Pinned | undefined => {
  const url = new URL(raw)
  const host = url.host
  const name = hostOf(url)
  const wanted = URL.parse(`http://${isIP(address) === 6 ? `[${address}]` : address}/`)?.hostname
  if (wanted === undefined || isIP(address) === 0) return undefined
  url.hostname = wanted
  if (url.hostname !== wanted) return undefined
  const byName = url.protocol === "https:" && isIP(name) === 0
  return { url: url.toString(), host, name, ...(byName ? { tls: { serverName: name, checkServerIdentity: (_: string, cert: PeerCertificate) => checkServerIdentity(name, cert) } } : {}) }
}

/** The addresses one delivery may connect to, in the resolver's order, or why none may be (a name answering a private address, unless those are allowed). */
const addressesFor = async (raw: string, allowPrivate: boolean): Promise<{ readonly addresses: ReadonlyArray<string> } | { readonly refused: string }> => {
  const name = hostOf(new URL(raw))
  const answers = isIP(name) !== 0 ? [{ address: name }] : await lookup(name, { all: true, order: "verbatim" }).catch(() => [])
  if (answers.length === 0) return { refused: "the endpoint's name does not resolve" }
  if (!allowPrivate && answers.some((a) => isPrivateAddress(a.address))) return { refused: "the endpoint's name resolves to a private address" }
  return { addresses: answers.map((a) => a.address) }
}

/**
 * POSTs to the first of `addresses` that answers (each checked already): a
 * connection refused or unreachable tries the next, as a client connecting
 * by name would; an answer, whatever its status, or the time limit, ends it.
 */
export const postByAddress = async (raw: string, addresses: ReadonlyArray<string>, request: { readonly headers: Record<string, string>; readonly body: string; readonly timeoutMs: number }): Promise<Attempt> => {
  const signal = AbortSignal.timeout(request.timeoutMs)
  let last: Attempt = { status: null, error: "the endpoint has no address to connect to" }
  for (const address of addresses) {
    const pinned = pinnedTo(raw, address)
    if (!pinned) continue
    last = await fetch(pinned.url, {
      method: "POST",
      headers: { ...request.headers, host: pinned.host },
      body: request.body,
      redirect: "manual",
      signal,
      ...(pinned.tls ? { tls: pinned.tls } : {}),
    }).then(
      async (r): Promise<Attempt> => {
        await r.body?.cancel().catch(() => undefined)
        return { status: r.status, error: r.ok ? null : `HTTP ${r.status}` }
      },
      (e: unknown): Attempt => ({ status: null, error: e instanceof Error ? e.name : "error" }),
    )
    if (last.status !== null || signal.aborted) return last
  }
  return last
}

/** One POST to an address checked for it; the answer's status, or why there was none. */
const post = (endpoint: { readonly url: string; readonly secret: string }, d: DeliveryRow, now: number, allowPrivate: boolean): Effect.Effect<Attempt> =>
  Effect.promise(async () => {
    const target = await addressesFor(endpoint.url, allowPrivate)
    if ("refused" in target) return { status: null, error: target.refused }
    return postByAddress(endpoint.url, target.addresses, {
      headers: { "content-type": "application/json", "user-agent": `TDK-Core-Webhooks/${VERSION}`, [SIGNATURE_HEADER]: signatureOf(endpoint.secret, d.payload, Math.floor(now / 1000)) },
      body: d.payload,
      timeoutMs: TIMEOUT_MS,
    })
  })

/** One e-mail to the account's address; 250 from the server counts as 200. */
const byEmail = (d: DeliveryRow) =>
  Effect.gen(function* () {
    const config = yield* AppConfig
    const store = yield* Store
    const user = yield* store.users.findById(d.userId)
    if (!user || config.smtpUrl === undefined) return undefined
    const url = config.smtpUrl
    return yield* Effect.promise(() =>
      sendEmail(url, config.smtpFrom, user.email, emailOf(d.type, d.payload)).then(
        (): Attempt => ({ status: 200, error: null }),
        (e: unknown): Attempt => ({ status: null, error: `smtp: ${(e as { code?: string }).code ?? (e instanceof Error ? e.name : "error")}` }),
      ),
    )
  })

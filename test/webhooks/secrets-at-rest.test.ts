// Webhook signing secrets at rest: stored sealed under the master keyring
// (never the secret shown once), still signing every post; a secret stored in
// clear before sealing still signs, and master-key rotation seals it and
// moves sealed ones to the new primary; a keyring that cannot open a secret
// sends nothing and records why.
import { afterAll, describe, expect, test } from "bun:test"
import { createHmac } from "node:crypto"
import { sql } from "drizzle-orm"
import { Effect } from "effect"
import { makeRuntime } from "../../src/app/layers"
import { envelopeKeyId } from "../../src/modules/pool/envelope"
import { keyUsage, rotateMaster } from "../../src/modules/pool/service"
import { deliverDue } from "../../src/modules/webhooks/delivery"
import { emit } from "../../src/modules/webhooks/events"
import { Database } from "../../src/platform/db/database"
import { Store } from "../../src/store/store"
import { bearer, login, register } from "../support/accounts"
import { makeTestApp, readJson, testConfig } from "../support/app"
import { exec, selectAll } from "../support/billing"
import { dialects } from "../support/db"

const OLD = `old:${"0a".repeat(32)}`
const NEW = `new:${"0b".repeat(32)}`
const OTHER = `other:${"0c".repeat(32)}`

type Post = { raw: string; signature: string | null; path: string }
const startReceiver = () => {
  const posts: Array<Post> = []
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (req) => {
      posts.push({ raw: await req.text(), signature: req.headers.get("tdk-signature"), path: new URL(req.url).pathname })
      return new Response(null, { status: 204 })
    },
  })
  return { url: (path: string) => `http://127.0.0.1:${server.port}${path}`, posts, stop: () => server.stop(true) }
}
const receiver = startReceiver()
afterAll(() => receiver.stop())

const signedBy = (secret: string, p: Post) => {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(p.signature ?? "")
  return m !== null && createHmac("sha256", secret).update(`${m[1]}.${p.raw}`).digest("hex") === m[2]
}

for (const dialect of dialects) {
  describe(`webhook secrets at rest (${dialect})`, () => {
    test("sealed in the database, signing every post; a clear one still signs; rotation seals it and moves all to the new key; an unreadable one sends nothing", async () => {
      const env = { WALLET_ENCRYPTION_KEYS: OLD, WEBHOOK_ALLOW_PRIVATE_HOSTS: "true" }
      const h = await makeTestApp(dialect, env)
      const handle = await h.runtime.runPromise(Database)
      const logged: Array<string> = []
      const runtimeWith = (keys: string) => makeRuntime(testConfig({ ...env, WALLET_ENCRYPTION_KEYS: keys }), { database: handle, sink: (line) => void logged.push(line) })
      const rotated = runtimeWith(`${NEW},${OLD}`)
      const newOnly = runtimeWith(NEW)
      const stranger = runtimeWith(OTHER)
      try {
        const a = await register(h)
        const session = await login(h, a.email)
        const create = async (path: string) => (await readJson(await h.request("/v1/webhook-endpoints", { method: "POST", headers: bearer(session), json: { url: receiver.url(path) } }))).body as { id: string; secret: string }
        const sealed = await create(`/sealed-${dialect}`)
        const legacy = await create(`/legacy-${dialect}`)
        const stored = async () => new Map((await selectAll(handle, sql`select id, secret from webhook_endpoints`)).map((r) => [r.id as string, r.secret as string]))

        // What the database holds is an envelope under the primary key, never the secret shown.
        const atRest = (await stored()).get(sealed.id)!
        expect(atRest).not.toContain(sealed.secret)
        expect(atRest).not.toContain(sealed.secret.slice(6))
        expect(envelopeKeyId(atRest)).toBe("old")
        // An endpoint from before sealing: its secret in clear.
        const clear = `whsec_${"L".repeat(40)}`
        await exec(handle, sql`update webhook_endpoints set secret = ${clear} where id = ${legacy.id}`)

        const deliverOne = async (runtime: typeof rotated, label: string) => {
          const before = receiver.posts.length
          await runtime.runPromise(emit(a.userId, "key.rolled", { key: { id: a.keyId, prefix: "tk" }, label }) as Effect.Effect<unknown, never, never>)
          await runtime.runPromise(deliverDue() as Effect.Effect<unknown, never, never>)
          return receiver.posts.slice(before)
        }
        const byPath = (posts: Array<Post>, which: string) => posts.find((p) => p.path === `/${which}-${dialect}`)

        const first = await deliverOne(h.runtime as typeof rotated, "first")
        expect(signedBy(sealed.secret, byPath(first, "sealed")!)).toBe(true)
        expect(signedBy(clear, byPath(first, "legacy")!)).toBe(true)

        expect(await rotated.runPromise(keyUsage())).toMatchObject({ old: 1, clear: 1 })
        const report = await rotated.runPromise(rotateMaster())
        expect(report).toMatchObject({ webhookSecretsResealed: 2, unreadable: [] })
        expect(await newOnly.runPromise(keyUsage())).toEqual({ new: 2 })
        expect([...(await stored()).values()].every((s) => envelopeKeyId(s) === "new" && !s.includes("whsec_"))).toBe(true)

        // Opened under the new key alone, both still sign with the secrets their developers hold.
        const second = await deliverOne(newOnly, "second")
        expect(signedBy(sealed.secret, byPath(second, "sealed")!)).toBe(true)
        expect(signedBy(clear, byPath(second, "legacy")!)).toBe(true)

        // A keyring holding none of the keys sends nothing, and the attempt says why.
        const third = await deliverOne(stranger, "third")
        expect(third).toEqual([])
        const errors = (await selectAll(handle, sql`select last_error from webhook_deliveries where state = 'pending' and attempts = 1`)).map((r) => r.last_error)
        expect(errors).toHaveLength(2)
        expect(errors.every((e) => String(e).includes("signing secret cannot be opened"))).toBe(true)
        expect(logged.some((l) => l.includes("signing secret cannot be opened"))).toBe(true)
        const everyLine = [...h.logs, ...logged].join("\n")
        for (const s of [sealed.secret, clear]) expect(everyLine).not.toContain(s)
      } finally {
        await Promise.all([rotated.dispose(), newOnly.dispose(), stranger.dispose()])
        await h.close()
      }
    }, 60_000)
  })
}

// The delivery-time address check: an endpoint whose name now points at a
// private address (DNS changed after registration, or a row written around
// the registration check) gets nothing; the attempt says why and is retried.
import { afterAll, describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import { Effect } from "effect"
import { Keyring } from "../../src/modules/pool/keyring"
import { deliverDue } from "../../src/modules/webhooks/delivery"
import { emit } from "../../src/modules/webhooks/events"
import { sealSecret } from "../../src/modules/webhooks/secret-box"
import { Database } from "../../src/platform/db/database"
import { Store } from "../../src/store/store"
import { register } from "../support/accounts"
import { makeTestApp } from "../support/app"
import { selectAll } from "../support/billing"

let hits = 0
const receiver = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => (hits++, new Response(null, { status: 204 })) })
afterAll(() => receiver.stop(true))

describe("webhook delivery to a private address", () => {
  test("is refused at delivery time when private hosts are not allowed: nothing is posted, the attempt records why", async () => {
    const h = await makeTestApp("sqlite")
    try {
      const a = await register(h)
      const id = "whe_private_test"
      await h.runtime.runPromise(
        Effect.gen(function* () {
          const keyring = yield* Keyring
          const store = yield* Store
          yield* store.webhooks.createEndpoint({ id, userId: a.userId, url: `http://127.0.0.1:${receiver.port}/hook`, secret: sealSecret(keyring, id, "whsec_privatetest"), events: ["*"], createdAt: Date.now() }, 16)
          // A name that resolves to a private address, not only an address literal.
          yield* store.webhooks.createEndpoint({ id: `${id}_name`, userId: a.userId, url: `http://localhost:${receiver.port}/hook`, secret: sealSecret(keyring, `${id}_name`, "whsec_privatetest"), events: ["*"], createdAt: Date.now() }, 16)
        }),
      )
      await h.runtime.runPromise(emit(a.userId, "key.rolled", { key: { id: a.keyId } }) as Effect.Effect<unknown, never, never>)
      await h.runtime.runPromise(deliverDue() as Effect.Effect<unknown, never, never>)
      expect(hits).toBe(0)
      const rows = await selectAll(await h.runtime.runPromise(Database), sql`select endpoint_id, state, attempts, last_error from webhook_deliveries where endpoint_id like ${`${id}%`} order by endpoint_id`)
      expect(rows).toEqual([id, `${id}_name`].map((endpoint_id) => ({ endpoint_id, state: "pending", attempts: 1, last_error: "the endpoint's name resolves to a private address" })))
    } finally {
      await h.close()
    }
  })
})

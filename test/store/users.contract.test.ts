// One contract for the users repository, run on every dialect.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { newId } from "../../src/platform/ids"
import { Store, type StoreShape } from "../../src/store/store"
import { makeTestApp, type TestApp } from "../support/app"
import { dialects } from "../support/db"

for (const dialect of dialects) {
  describe(`users repository (${dialect})`, () => {
    let h: TestApp
    const run = <A, E>(f: (store: StoreShape) => Effect.Effect<A, E>) => h.runtime.runPromise(Effect.flatMap(Store, f))
    beforeAll(async () => {
      h = await makeTestApp(dialect)
    })
    afterAll(() => h.close())

    test("inserts a user and finds it by email and by id", async () => {
      const user = { id: newId("usr"), email: "a@example.com", passwordHash: "h", tier: "free", createdAt: 1_700_000_000_000 }
      expect(await run((s) => s.users.insert(user))).toBe(true)
      expect(await run((s) => s.users.findByEmail("a@example.com"))).toMatchObject({ ...user, stripeCustomerId: null })
      expect(await run((s) => s.users.findById(user.id))).toMatchObject(user)
    })

    test("a second user with the same email is refused without an error", async () => {
      const user = { id: newId("usr"), email: "dup@example.com", passwordHash: "h", tier: "free", createdAt: 1 }
      expect(await run((s) => s.users.insert(user))).toBe(true)
      expect(await run((s) => s.users.insert({ ...user, id: newId("usr") }))).toBe(false)
    })

    test("an unknown email or id is undefined", async () => {
      expect(await run((s) => s.users.findByEmail("nobody@example.com"))).toBeUndefined()
      expect(await run((s) => s.users.findById(newId("usr")))).toBeUndefined()
    })

    test("large epoch-millisecond times round-trip exactly", async () => {
      const user = { id: newId("usr"), email: "t@example.com", passwordHash: "h", tier: "free", createdAt: 4_102_444_800_123 }
      await run((s) => s.users.insert(user))
      expect((await run((s) => s.users.findById(user.id)))?.createdAt).toBe(4_102_444_800_123)
    })
  })
}

// Key lifecycle for a signed-in user: create (secret shown once), list, roll
// (optional grace for the old secret), revoke (effective at once here).
import { Clock, Effect } from "effect"
import { emitQuietly, keyRef } from "../webhooks/events"
import { AppConfig } from "../../platform/config/service"
import { newId } from "../../platform/ids"
import { periodOf } from "../../platform/period"
import type { KeyRow, NewKey } from "../../store/keys/repo"
import { Store } from "../../store/store"
import { KeyNotFound } from "./errors"
import { displayPrefix, generateApiKey, hashApiKey, type KeyEnvironment } from "./key-format"
import { newStorageNamespace } from "./storage-namespace"
import { limitsFor, tierOf, type Tier } from "../../platform/tiers"
import { ApiKeys } from "./verifier"

/** A new key row and its secret; the secret exists only in this value. */
export const newKey = (userId: string, name: string, environment: KeyEnvironment, tier: Tier, now: number): { secret: string; row: NewKey } => {
  const secret = generateApiKey(environment)
  return {
    secret,
    row: {
      id: newId("key", now),
      userId,
      keyHash: hashApiKey(secret),
      prefix: displayPrefix(secret),
      name,
      environment,
      tier,
      status: "active",
      createdAt: now,
      storageNamespace: newStorageNamespace(),
    },
  }
}

const ownKey = (userId: string, keyId: string) =>
  Effect.gen(function* () {
    const store = yield* Store
    const row = yield* store.keys.findById(keyId)
    // Another user's key is indistinguishable from a missing one.
    if (!row || row.userId !== userId) return yield* new KeyNotFound({ keyId })
    return row
  })

export const limitsOf = (row: KeyRow) =>
  Effect.map(AppConfig, (config) => limitsFor(row, config.tiers))

export const createKey = Effect.fn("Keys.create")(function* (userId: string, name: string, environment: KeyEnvironment) {
  const store = yield* Store
  const now = yield* Clock.currentTimeMillis
  const user = yield* store.users.findById(userId)
  const tier: Tier = user ? tierOf(user.tier) : "free"
  const { secret, row } = newKey(userId, name, environment, tier, now)
  yield* store.keys.insert(row)
  const saved = yield* ownKey(userId, row.id)
  return { secret, row: saved }
})

export const listKeys = Effect.fn("Keys.list")(function* (userId: string) {
  const store = yield* Store
  const now = yield* Clock.currentTimeMillis
  return yield* store.keys.listByUser(userId, periodOf(now))
})

export const rollKey = Effect.fn("Keys.roll")(function* (userId: string, keyId: string, graceSeconds: number) {
  const store = yield* Store
  const keys = yield* ApiKeys
  const now = yield* Clock.currentTimeMillis
  const current = yield* ownKey(userId, keyId)
  if (current.status !== "active") return yield* new KeyNotFound({ keyId })
  const secret = generateApiKey(current.environment === "test" ? "test" : "live")
  const graceUntil = graceSeconds > 0 ? now + graceSeconds * 1000 : null
  const row = yield* store.keys.roll(keyId, { keyHash: hashApiKey(secret), prefix: displayPrefix(secret), graceUntil })
  if (!row) return yield* new KeyNotFound({ keyId })
  keys.forget(keyId)
  yield* emitQuietly(userId, "key.rolled", { key: keyRef(row), previous_valid_until: graceUntil === null ? null : new Date(graceUntil).toISOString() })
  return { secret, row, graceUntil }
})

export const revokeKey = Effect.fn("Keys.revoke")(function* (userId: string, keyId: string) {
  const store = yield* Store
  const keys = yield* ApiKeys
  const now = yield* Clock.currentTimeMillis
  const current = yield* ownKey(userId, keyId)
  const row = current.status === "revoked" ? current : yield* store.keys.revoke(keyId, now)
  keys.forget(keyId)
  if (!row) return yield* new KeyNotFound({ keyId })
  if (current.status !== "revoked") yield* emitQuietly(userId, "key.revoked", { key: keyRef(row) })
  return row
})

// Operator actions on users and keys. Each change forgets the key in this
// instance's verification cache so it takes effect at once here.
import { Effect } from "effect"
import { emitQuietly, keyRef } from "../webhooks/events"
import { Store } from "../../store/store"
import type { KeyPatch } from "../../store/keys/repo"
import { KeyNotFound } from "../keys/errors"
import { ApiKeys } from "../keys/verifier"

export const listUsers = Effect.fn("Admin.listUsers")(function* (limit: number, after: string | undefined) {
  const store = yield* Store
  return yield* store.users.list({ limit, after })
})

export const listAllKeys = Effect.fn("Admin.listKeys")(function* (limit: number, after: string | undefined) {
  const store = yield* Store
  return yield* store.keys.listAll({ limit, after })
})

export const updateKey = Effect.fn("Admin.updateKey")(function* (keyId: string, patch: KeyPatch) {
  const store = yield* Store
  const keys = yield* ApiKeys
  const current = yield* store.keys.findById(keyId)
  if (!current) return yield* new KeyNotFound({ keyId })
  // A revoked key stays revoked: suspend/reinstate only move between the other two.
  const safe: KeyPatch = current.status === "revoked" ? { ...patch, status: undefined, statusReason: undefined } : patch
  const row = Object.values(safe).some((v) => v !== undefined) ? yield* store.keys.update(keyId, safe) : current
  keys.forget(keyId)
  if (!row) return yield* new KeyNotFound({ keyId })
  if (current.status === "active" && row.status === "suspended") yield* emitQuietly(row.userId, "key.suspended", { key: keyRef(row), reason: row.statusReason })
  if (current.status === "suspended" && row.status === "active") yield* emitQuietly(row.userId, "key.reinstated", { key: keyRef(row) })
  return row
})

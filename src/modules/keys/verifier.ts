// The `authenticate` step and its cache. Order of checks: header shape, key
// format and checksum (no I/O, so a typo never reaches the database), the
// in-process cache, then one indexed lookup by SHA-256.
import { Clock, Context, Effect, Layer } from "effect"
import type { StoreUnavailable } from "../../platform/db/errors"
import { AppConfig } from "../../platform/config/service"
import { Store } from "../../store/store"
import type { VerifiedKeyRow as KeyRow } from "../../store/keys/repo"
import { ApiKeyMalformed, ApiKeyMissing, ApiKeyUnknown, KeyExpired, KeyRevoked, KeySuspended } from "./errors"
import { identityOf, type KeyIdentity } from "./identity"
import { hashApiKey, parseApiKey } from "./key-format"

export type AuthError = ApiKeyMissing | ApiKeyMalformed | ApiKeyUnknown | KeyRevoked | KeyExpired | KeySuspended | StoreUnavailable

// last_used_at is written at most this often per key (ms), not per request.
const LAST_USED_EVERY_MS = 60_000

// The identity is derived once per lookup and kept with its row.
type Verified = { readonly row: KeyRow; readonly identity: KeyIdentity }
type Cached = Verified & { readonly until: number }

export type ApiKeysShape = {
  readonly authenticate: (authorization: string | null | undefined) => Effect.Effect<KeyIdentity, AuthError>
  /**
   * Forget a key at once on this instance (revoke, roll, suspend, tier change,
   * card verified). Other instances see the change when their entry expires
   * (KEY_CACHE_TTL_MS, 5 s by default).
   */
  readonly forget: (keyId: string) => void
  /** Cached entries, for tests and metrics. */
  readonly cacheSize: () => number
}

export const bearerToken = (authorization: string | null | undefined): string | undefined => {
  if (!authorization) return undefined
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization)
  return m?.[1]
}

export class ApiKeys extends Context.Service<ApiKeys, ApiKeysShape>()("tdk/ApiKeys") {
  static readonly layer = Layer.effect(
    ApiKeys,
    Effect.gen(function* () {
      const store = yield* Store
      const config = yield* AppConfig
      const byHash = new Map<string, Cached>()
      const hashesById = new Map<string, Set<string>>()
      const lastUsedWrite = new Map<string, number>()

      const remember = (hash: string, verified: Verified, now: number) => {
        if (config.keyCacheTtlMs <= 0) return
        byHash.set(hash, { ...verified, until: now + config.keyCacheTtlMs })
        let set = hashesById.get(verified.row.id)
        if (!set) hashesById.set(verified.row.id, (set = new Set()))
        set.add(hash)
      }

      const forget = (keyId: string) => {
        for (const h of hashesById.get(keyId) ?? []) byHash.delete(h)
        hashesById.delete(keyId)
      }

      const lookup = (hash: string, now: number): Effect.Effect<Verified | undefined, StoreUnavailable> => {
        const hit = byHash.get(hash)
        if (hit && hit.until > now) return Effect.succeed(hit)
        if (hit) byHash.delete(hash)
        return Effect.map(store.keys.findByHash(hash, now), (row) => {
          if (!row) return undefined
          const verified = { row, identity: identityOf(row, config.tiers) }
          remember(hash, verified, now)
          return verified
        })
      }

      const touch = (keyId: string, now: number) => {
        const last = lastUsedWrite.get(keyId) ?? 0
        if (now - last < LAST_USED_EVERY_MS) return Effect.void
        lastUsedWrite.set(keyId, now)
        // Off the request path: a failed write only delays the timestamp.
        return store.keys.touchLastUsed(keyId, now).pipe(Effect.ignore, Effect.forkDetach, Effect.asVoid)
      }

      const authenticate = Effect.fn("ApiKeys.authenticate")(function* (authorization: string | null | undefined) {
        const token = bearerToken(authorization)
        if (token === undefined) return yield* new ApiKeyMissing()
        if (parseApiKey(token) === undefined) return yield* new ApiKeyMalformed()
        const now = yield* Clock.currentTimeMillis
        const hash = hashApiKey(token)
        const verified = yield* lookup(hash, now)
        if (!verified) return yield* new ApiKeyUnknown()
        const { row, identity } = verified
        if (row.status === "revoked") return yield* new KeyRevoked()
        if (row.status === "suspended") return yield* new KeySuspended({ reason: row.statusReason ?? "suspended" })
        if (row.expiresAt !== null && row.expiresAt <= now) return yield* new KeyExpired()
        // A rolled key's old secret: valid only inside its grace period.
        if (row.keyHash !== hash && !(row.previousKeyHash === hash && (row.previousKeyGraceUntil ?? 0) > now)) return yield* new ApiKeyUnknown()
        yield* touch(row.id, now)
        return identity
      })

      return { authenticate, forget, cacheSize: () => byHash.size }
    }),
  )
}

// The Signer service: signs a message with a pool wallet's key. A secret is
// decrypted on a cache miss, checked against the row's public key, and kept
// (with its KeyObject) for SIGNER_CACHE_TTL_MS at most; a background fiber
// sweeps expired entries so a secret does not outlive its ttl in memory even
// when the wallet goes quiet. No secret is ever logged or put in an error.
import { Clock, Context, Duration, Effect, Layer } from "effect"
import { AppConfig } from "../../platform/config/service"
import type { StoreUnavailable } from "../../platform/db/errors"
import { Store } from "../../store/store"
import type { WalletRow } from "../../store/wallets/repo"
import { derivesPublicKey, keyObjectOf, signMessage } from "./ed25519"
import { DecryptFailed, WalletNotFound, type UnsealError } from "./errors"
import { Keyring } from "./keyring"
import { SecretCache } from "./secret-cache"

export type Signature = { readonly signature: Uint8Array; readonly publicKey: string }

/** What signing needs of a wallet row. */
export type StoredWallet = Pick<WalletRow, "id" | "publicKey" | "encryptedSecret">

export type SignerShape = {
  /** `row`, when the caller already read it, saves reading the wallet again on a cache miss. */
  readonly sign: (walletId: string, message: Uint8Array, row?: StoredWallet) => Effect.Effect<Signature, WalletNotFound | UnsealError | StoreUnavailable>
  /** Drops and wipes expired secrets now (the background sweep calls it too). */
  readonly sweep: () => Effect.Effect<number>
  /** Drops and wipes every cached secret. */
  readonly clear: () => Effect.Effect<void>
}

const sweepInterval = (ttlMs: number) => Math.min(Math.max(Math.floor(ttlMs / 10), 1000), 30_000)

export const makeSigner = Effect.fnUntraced(function* (cache: SecretCache) {
  const store = yield* Store
  const keyring = yield* Keyring

  const load = Effect.fn("Signer.load")(function* (walletId: string, given: StoredWallet | undefined) {
    const row = given ?? (yield* store.wallets.findById(walletId))
    if (!row) return yield* Effect.fail(new WalletNotFound({ walletId }))
    const secret = yield* keyring.open(row.id, row.publicKey, row.encryptedSecret)
    const key = keyObjectOf(secret)
    // A row whose secret derives another public key was tampered with or
    // mis-migrated; signing with it would pay from a wallet we do not track.
    if (!derivesPublicKey(key, row.publicKey)) {
      secret.fill(0)
      return yield* Effect.fail(new DecryptFailed({ walletId, keyId: "public-key-mismatch" }))
    }
    return { secret, key, publicKey: row.publicKey }
  })

  const sign = Effect.fn("Signer.sign")(function* (walletId: string, message: Uint8Array, row?: StoredWallet) {
    const now = yield* Clock.currentTimeMillis
    const hit = cache.get(walletId, now)
    if (hit) return { signature: signMessage(hit.key, message), publicKey: hit.publicKey }
    const loaded = yield* load(walletId, row?.id === walletId ? row : undefined)
    const signature = signMessage(loaded.key, message)
    if (!cache.set(walletId, loaded.secret, loaded.key, loaded.publicKey, now)) loaded.secret.fill(0)
    return { signature, publicKey: loaded.publicKey }
  })

  return {
    sign,
    sweep: () => Effect.map(Clock.currentTimeMillis, (now) => cache.sweep(now)),
    clear: () => Effect.sync(() => cache.clear()),
  } satisfies SignerShape
})

// Scoped: the sweep fiber lives with the layer, and release wipes every secret.
const build = Effect.fnUntraced(function* (cache: SecretCache) {
  const signer = yield* makeSigner(cache)
  yield* Effect.addFinalizer(() => Effect.sync(() => cache.clear()))
  if (cache.ttlMs > 0) yield* Effect.forkScoped(Effect.forever(Effect.andThen(Effect.sleep(Duration.millis(sweepInterval(cache.ttlMs))), signer.sweep())))
  return signer
})

export class Signer extends Context.Service<Signer, SignerShape>()("tdk/Signer") {
  static readonly layer = Layer.effect(
    Signer,
    Effect.gen(function* () {
      const config = yield* AppConfig
      return yield* build(new SecretCache(config.signerCacheTtlMs, config.signerCacheMax))
    }),
  )

  /** The signer over a given cache, so a test can check that evicted secrets are wiped. */
  static readonly layerWith = (cache: SecretCache) => Layer.effect(Signer, build(cache))
}

// Wallet pool operations: generate sealed wallets, assign a key its wallet,
// re-encrypt every row under the primary master key.
import { Clock, Effect } from "effect"
import { newId } from "../../platform/ids"
import { Store } from "../../store/store"
import type { NewWallet, WalletEnvironment, WalletRow } from "../../store/wallets/repo"
import { derivesPublicKey, keyObjectOf, newKeypair } from "./ed25519"
import { envelopeKeyId } from "./envelope"
import { KeyNotFound } from "../keys/errors"
import { NoFundedWallet } from "./errors"
import { Keyring } from "./keyring"
import { isPlainSecret, openSecret, sealSecret } from "../webhooks/secret-box"

const INSERT_BATCH = 100

/** Creates `count` wallets in the live pool, or in the sandbox pool that pays for test keys; each secret is sealed under the primary key before it reaches the store. */
export const generateWallets = Effect.fn("Pool.generateWallets")(function* (
  count: number,
  options: { readonly environment?: WalletEnvironment; readonly status?: NewWallet["status"]; readonly onProgress?: (done: number) => void } = {},
) {
  const environment = options.environment ?? "live"
  const store = yield* Store
  const keyring = yield* Keyring
  const ids: Array<string> = []
  for (let done = 0; done < count; ) {
    const now = yield* Clock.currentTimeMillis
    const batch: Array<NewWallet> = []
    for (let i = 0; i < Math.min(INSERT_BATCH, count - done); i++) {
      const { publicKey, secret } = newKeypair()
      const id = newId("wal", now)
      try {
        batch.push({ id, publicKey, encryptedSecret: keyring.seal(id, publicKey, secret), createdAt: now, environment, ...(options.status ? { status: options.status } : {}) })
      } finally {
        secret.fill(0)
      }
    }
    yield* store.wallets.insert(batch)
    done += batch.length
    ids.push(...batch.map((w) => w.id))
    options.onProgress?.(done)
  }
  return ids
})

/** The key's wallet: the one it has, or the active wallet with the fewest keys, once and atomically. */
export const assignWallet = Effect.fn("Pool.assignWallet")(function* (keyId: string) {
  const store = yield* Store
  const r = yield* store.wallets.assign(keyId)
  if (r.kind === "no_key") return yield* Effect.fail(new KeyNotFound({ keyId }))
  if (r.kind === "no_wallet") return yield* Effect.fail(new NoFundedWallet({ reason: "no active wallet in the pool" }))
  if (r.kind === "assigned") yield* Effect.logInfo("wallet assigned", { key_id: keyId, wallet_id: r.wallet.id, public_key: r.wallet.publicKey })
  return r.wallet as WalletRow
})

export type RotationReport = {
  readonly primaryId: string
  readonly batches: number
  readonly scanned: number
  readonly resealed: number
  /** Rows that could not be opened under any held key (left untouched). */
  readonly unreadable: ReadonlyArray<string>
  /** Webhook endpoints' signing secrets sealed under the primary key by this run (those stored in clear or under an older key). */
  readonly webhookSecretsResealed: number
  /** Sealed rows (wallets and webhook secrets) per master key id after the run; anything but the primary still needs rotation. */
  readonly byKey: Readonly<Record<string, number>>
  /** True when the run stopped early (maxBatches) before reaching the end of the table. */
  readonly stoppedEarly: boolean
}

/**
 * Re-encrypts every row not yet under the primary key, `batchSize` rows per
 * transaction. Safe to interrupt and rerun: a batch commits whole or not at
 * all, rows already under the primary key are skipped, and each update is a
 * compare-and-set on the old envelope. The public key derived from the
 * decrypted secret must match the row before it is resealed.
 */
export const rotateMaster = Effect.fn("Pool.rotateMaster")(function* (options: { readonly batchSize?: number; readonly maxBatches?: number; readonly onBatch?: (scanned: number) => void } = {}) {
  const store = yield* Store
  const keyring = yield* Keyring
  const batchSize = options.batchSize ?? 200
  const unreadable: Array<string> = []
  let afterId: string | undefined
  let batches = 0
  let scanned = 0
  let resealed = 0
  let stoppedEarly = false
  for (;;) {
    if (options.maxBatches !== undefined && batches >= options.maxBatches) {
      stoppedEarly = true
      break
    }
    const now = yield* Clock.currentTimeMillis
    const batch = yield* store.wallets.resealBatch(afterId, batchSize, (row) => {
      if (envelopeKeyId(row.encryptedSecret) === keyring.primaryId) return undefined
      const secret = keyring.openSync(row.id, row.publicKey, row.encryptedSecret)
      if (!(secret instanceof Uint8Array)) {
        unreadable.push(row.id)
        return undefined
      }
      try {
        if (!derivesPublicKey(keyObjectOf(secret), row.publicKey)) {
          unreadable.push(row.id)
          return undefined
        }
        return keyring.seal(row.id, row.publicKey, secret)
      } finally {
        secret.fill(0)
      }
    }, now)
    if (batch.scanned === 0) break
    batches++
    scanned += batch.scanned
    resealed += batch.updated
    afterId = batch.lastId
    options.onBatch?.(scanned)
    yield* Effect.logInfo("rotation batch committed", { batch: batches, scanned, resealed })
  }
  const webhookSecretsResealed = stoppedEarly ? 0 : yield* resealWebhookSecrets(batchSize, unreadable)
  const byKey = yield* keyUsage()
  if (unreadable.length > 0) yield* Effect.logError("rotation left unreadable rows untouched", { ids: unreadable.slice(0, 50), count: unreadable.length })
  return { primaryId: keyring.primaryId, batches, scanned, resealed, unreadable, webhookSecretsResealed, byKey, stoppedEarly } satisfies RotationReport
})

/**
 * Seals every webhook signing secret that is not yet under the primary key
 * (in clear from before sealing, or under an older key), a page at a time,
 * compare-and-set like the wallets. Ids it cannot open go to `unreadable`.
 */
const resealWebhookSecrets = Effect.fnUntraced(function* (pageSize: number, unreadable: Array<string>) {
  const store = yield* Store
  const keyring = yield* Keyring
  let after: string | undefined
  let resealed = 0
  for (;;) {
    const page = yield* store.webhooks.secretsPage(after, pageSize)
    if (page.length === 0) return resealed
    for (const row of page) {
      if (envelopeKeyId(row.secret) === keyring.primaryId) continue
      const secret = openSecret(keyring, row.id, row.secret)
      if (typeof secret !== "string") {
        unreadable.push(row.id)
        continue
      }
      if (yield* store.webhooks.replaceSecret(row.id, row.secret, sealSecret(keyring, row.id, secret))) resealed++
    }
    after = page.at(-1)!.id
  }
})

/** How many sealed rows (wallets, webhook secrets) each master key id holds ("invalid" for unreadable envelopes; "clear" for webhook secrets from before sealing). */
export const keyUsage = Effect.fn("Pool.keyUsage")(function* () {
  const store = yield* Store
  const byKey: Record<string, number> = {}
  const count = (kid: string) => void (byKey[kid] = (byKey[kid] ?? 0) + 1)
  for (const r of yield* store.wallets.list()) count(envelopeKeyId(r.encryptedSecret) ?? "invalid")
  let after: string | undefined
  for (;;) {
    const page = yield* store.webhooks.secretsPage(after, 1000)
    if (page.length === 0) break
    for (const r of page) count(isPlainSecret(r.secret) ? "clear" : (envelopeKeyId(r.secret) ?? "invalid"))
    after = page.at(-1)!.id
  }
  return byKey
})

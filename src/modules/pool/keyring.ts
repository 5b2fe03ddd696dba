// The Keyring service: master keys resolved once at start-up, primary first.
// It seals new secrets under the primary key and opens envelopes under any
// key it holds, so rotation never leaves a row unreadable.
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Context, Effect, Layer } from "effect"
import type { Config } from "../../platform/config/config"
import { AppConfig } from "../../platform/config/service"
import { open, seal, walletAad, type MasterKey, type SealedSecret } from "./envelope"
import type { UnsealError } from "./errors"
import { newMasterKeyLine, parseMasterKeyLine } from "../../platform/config/master-keys"

export type KeyringShape = {
  readonly primaryId: string
  readonly keyIds: ReadonlyArray<string>
  /** Seals a wallet secret under the primary key, bound to its row. */
  readonly seal: (walletId: string, publicKey: string, secret: Uint8Array) => SealedSecret
  /** Opens a row's envelope; synchronous so SQLite transactions can use it. The caller wipes the result. */
  readonly openSync: (walletId: string, publicKey: string, envelope: string) => Uint8Array | UnsealError
  readonly open: (walletId: string, publicKey: string, envelope: string) => Effect.Effect<Uint8Array, UnsealError>
  /** Seals another secret under the primary key, bound to `aad` (what it belongs to); `rowId` names it in errors. */
  readonly sealFor: (aad: Uint8Array, secret: Uint8Array) => SealedSecret
  /** Opens what `sealFor` sealed; the caller wipes the result. */
  readonly openFor: (rowId: string, aad: Uint8Array, envelope: string) => Uint8Array | UnsealError
}

/** Start-up failure: no usable master key. The message names variables and files, never a value. */
export class MasterKeyConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = "MasterKeyConfigError"
  }
}

export type ResolvedKeys = { readonly keys: ReadonlyArray<MasterKey>; readonly source: "env" | "file-loaded" | "file-generated" | "file-missing"; readonly file?: string }

export const sandboxKeyFile = (config: Config) => join(config.dataDir, "master.key")

// The file is written beside a temporary name and linked into place, so two
// processes starting together both end up with the one key that won.
const generateKeyFile = (path: string): void => {
  mkdirSync(join(path, ".."), { recursive: true })
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`
  writeFileSync(tmp, newMasterKeyLine("sandbox") + "\n", { mode: 0o600 })
  try {
    linkSync(tmp, path)
  } catch (e) {
    if ((e as { code?: string }).code !== "EEXIST") throw e
  } finally {
    unlinkSync(tmp)
  }
}

/**
 * Resolves the master keys from the config (and, in the sandbox only, the key
 * file, generated when missing unless `generate` is false: a check writes
 * nothing). Throws MasterKeyConfigError.
 */
export const resolveMasterKeys = (config: Config, options: { readonly generate?: boolean } = {}): ResolvedKeys => {
  const keys: Array<MasterKey> = [...(config.walletEncryptionKeys ?? [])]
  for (const k of config.walletEncryptionKey ?? []) {
    if (keys.some((x) => x.id === k.id)) throw new MasterKeyConfigError(`WALLET_ENCRYPTION_KEY: its id "${k.id}" is also in WALLET_ENCRYPTION_KEYS; set only one of them`)
    keys.push(k)
  }
  if (keys.length > 0) return { keys, source: "env" }
  if (config.network !== "sandbox") {
    throw new MasterKeyConfigError(
      `WALLET_ENCRYPTION_KEYS: required when TETTO_NETWORK=${config.network}; run \`tdk pool new-master-key\` and set WALLET_ENCRYPTION_KEYS to the line it prints (keep a copy: wallets are unreadable without it)`,
    )
  }
  const file = sandboxKeyFile(config)
  const existed = existsSync(file)
  if (!existed && options.generate === false) return { keys: [], source: "file-missing", file }
  if (!existed) generateKeyFile(file)
  const key = parseMasterKeyLine(readFileSync(file, "utf8"))
  if (!key) throw new MasterKeyConfigError(`${file}: expected one line id:<64 hex>; delete it to generate a new sandbox key (wallets sealed under it become unreadable)`)
  return { keys: [key], source: existed ? "file-loaded" : "file-generated", file }
}

export const makeKeyring = (keys: ReadonlyArray<MasterKey>): KeyringShape => {
  if (keys.length === 0) throw new MasterKeyConfigError("no master key")
  const primary = keys[0]!
  const byId = new Map(keys.map((k) => [k.id, k] as const))
  const openSync = (walletId: string, publicKey: string, envelope: string) => open(byId, walletId, walletAad(walletId, publicKey), envelope)
  return {
    primaryId: primary.id,
    keyIds: keys.map((k) => k.id),
    seal: (walletId, publicKey, secret) => seal(primary, walletAad(walletId, publicKey), secret),
    openSync,
    sealFor: (aad, secret) => seal(primary, aad, secret),
    openFor: (rowId, aad, envelope) => open(byId, rowId, aad, envelope),
    open: (walletId, publicKey, envelope) =>
      Effect.suspend(() => {
        const r = openSync(walletId, publicKey, envelope)
        return r instanceof Uint8Array ? Effect.succeed(r) : Effect.fail(r)
      }),
  }
}

export class Keyring extends Context.Service<Keyring, KeyringShape>()("tdk/Keyring") {
  static readonly layer = Layer.effect(
    Keyring,
    Effect.gen(function* () {
      const config = yield* AppConfig
      const resolved = yield* Effect.try({ try: () => resolveMasterKeys(config), catch: (e) => e }).pipe(Effect.orDie)
      if (resolved.source === "file-generated") {
        yield* Effect.logWarning("SANDBOX MASTER KEY GENERATED: wallet secrets are encrypted under a key stored next to the database. Never use this for real funds; set WALLET_ENCRYPTION_KEYS (see `tdk pool new-master-key`).", { file: resolved.file })
      } else if (resolved.source === "file-loaded") {
        yield* Effect.logWarning("using the sandbox master key file; set WALLET_ENCRYPTION_KEYS for real funds", { file: resolved.file })
      }
      return makeKeyring(resolved.keys)
    }),
  )

  /** A keyring over given keys (tests, CLI). */
  static readonly fromKeys = (keys: ReadonlyArray<MasterKey>) => Layer.sync(Keyring, () => makeKeyring(keys))
}

// Master keys from the environment. WALLET_ENCRYPTION_KEYS is a keyring,
// `id:<64 hex>` comma-separated, primary first; WALLET_ENCRYPTION_KEY is the
// seed's single key (64 hex) under the id "default". Readers never echo the
// value: config.ts marks both variables secret.
import { randomBytes } from "node:crypto"
import type { Read } from "./parse"

/** A master key: 32 bytes under a short id recorded in every envelope it seals. */
export type MasterKey = { readonly id: string; readonly key: Uint8Array }

const keyId = /^[A-Za-z0-9_-]{1,32}$/
const hex64 = /^[0-9a-fA-F]{64}$/

const hexKey = (raw: string): Uint8Array | undefined => (hex64.test(raw) ? new Uint8Array(Buffer.from(raw, "hex")) : undefined)

export const masterKeyList: Read<ReadonlyArray<MasterKey>> = (raw) => {
  const expected = "a comma-separated list of id:<64 hex chars> (32-byte keys, ids of letters, digits, _ or -, unique), primary first"
  const out: Array<MasterKey> = []
  for (const part of raw.split(",").map((p) => p.trim()).filter((p) => p.length > 0)) {
    const colon = part.indexOf(":")
    if (colon <= 0) return { ok: false, expected }
    const id = part.slice(0, colon)
    const key = hexKey(part.slice(colon + 1))
    if (!keyId.test(id) || !key) return { ok: false, expected }
    if (out.some((k) => k.id === id)) return { ok: false, expected: `${expected}; key id "${id}" appears twice` }
    out.push({ id, key })
  }
  return out.length > 0 ? { ok: true, value: out } : { ok: false, expected }
}

export const singleMasterKey: Read<ReadonlyArray<MasterKey>> = (raw) => {
  const key = hexKey(raw.trim())
  return key ? { ok: true, value: [{ id: "default", key }] } : { ok: false, expected: "64 hex characters (a 32-byte key)" }
}

/** A fresh master key line for WALLET_ENCRYPTION_KEYS: `<id>:<64 hex>`. */
export const newMasterKeyLine = (id: string): string => `${id}:${randomBytes(32).toString("hex")}`

/** Parses one `id:hex` line (the sandbox key file), or undefined. */
export const parseMasterKeyLine = (line: string): MasterKey | undefined => {
  const r = masterKeyList(line.trim())
  return r.ok && r.value.length === 1 ? r.value[0] : undefined
}

// AES-256-GCM envelopes for wallet secrets. One envelope is compact JSON:
//   {"v":1,"kid":"<master key id>","n":<b64 nonce>,"c":<b64 ciphertext>,"t":<b64 tag>}
// The additional data binds it to its row (`wallet:<id>:<public key>`), so an
// envelope copied onto another row fails authentication. node:crypto is used
// (not WebCrypto) because it is synchronous, which lets bun:sqlite's
// synchronous transactions re-encrypt rows inside the transaction.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto"
import { DecryptFailed, EnvelopeInvalid, MasterKeyUnknown, type UnsealError } from "./errors"
import type { MasterKey } from "../../platform/config/master-keys"
import type { SealedSecret } from "../../store/wallets/repo"

export const ENVELOPE_VERSION = 1
const NONCE_BYTES = 12
const TAG_BYTES = 16

export type { MasterKey }

export type { SealedSecret }

export const walletAad = (walletId: string, publicKey: string): Uint8Array => new TextEncoder().encode(`wallet:${walletId}:${publicKey}`)

export const seal = (master: MasterKey, aad: Uint8Array, plaintext: Uint8Array): SealedSecret => {
  const nonce = randomBytes(NONCE_BYTES)
  const cipher = createCipheriv("aes-256-gcm", master.key, nonce, { authTagLength: TAG_BYTES })
  cipher.setAAD(aad)
  const c = Buffer.concat([cipher.update(plaintext), cipher.final()])
  const t = cipher.getAuthTag()
  return JSON.stringify({ v: ENVELOPE_VERSION, kid: master.id, n: nonce.toString("base64"), c: c.toString("base64"), t: t.toString("base64") }) as SealedSecret
}

type Parsed = { readonly kid: string; readonly n: Buffer; readonly c: Buffer; readonly t: Buffer }

const b64 = /^[A-Za-z0-9+/]*={0,2}$/

const parse = (walletId: string, envelope: string): Parsed | EnvelopeInvalid => {
  let raw: unknown
  try {
    raw = JSON.parse(envelope)
  } catch {
    return new EnvelopeInvalid({ walletId, reason: "not JSON" })
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return new EnvelopeInvalid({ walletId, reason: "not an object" })
  const o = raw as Record<string, unknown>
  if (o.v !== ENVELOPE_VERSION) return new EnvelopeInvalid({ walletId, reason: `unsupported version ${JSON.stringify(o.v)}` })
  if (typeof o.kid !== "string" || o.kid.length === 0) return new EnvelopeInvalid({ walletId, reason: "missing key id" })
  for (const f of ["n", "c", "t"] as const) {
    if (typeof o[f] !== "string" || !b64.test(o[f] as string)) return new EnvelopeInvalid({ walletId, reason: `field ${f} is not base64` })
  }
  const n = Buffer.from(o.n as string, "base64")
  const c = Buffer.from(o.c as string, "base64")
  const t = Buffer.from(o.t as string, "base64")
  if (n.length !== NONCE_BYTES) return new EnvelopeInvalid({ walletId, reason: `nonce is ${n.length} bytes, expected ${NONCE_BYTES}` })
  if (t.length !== TAG_BYTES) return new EnvelopeInvalid({ walletId, reason: `tag is ${t.length} bytes, expected ${TAG_BYTES}` })
  if (c.length === 0) return new EnvelopeInvalid({ walletId, reason: "empty ciphertext" })
  return { kid: o.kid, n, c, t }
}

/** The master key id an envelope names, or undefined when it is unreadable. */
export const envelopeKeyId = (envelope: string): string | undefined => {
  const p = parse("", envelope)
  return p instanceof EnvelopeInvalid ? undefined : p.kid
}

/**
 * Opens an envelope. Never throws: every failure is returned as a tagged error
 * (the caller decides whether it is fatal). The plaintext buffer belongs to
 * the caller, who must wipe it when done.
 */
export const open = (keys: ReadonlyMap<string, MasterKey>, walletId: string, aad: Uint8Array, envelope: string): Uint8Array | UnsealError => {
  const p = parse(walletId, envelope)
  if (p instanceof EnvelopeInvalid) return p
  const master = keys.get(p.kid)
  if (!master) return new MasterKeyUnknown({ walletId, keyId: p.kid })
  // GCM releases plaintext from update() before final() authenticates it;
  // that unauthenticated copy is wiped whatever happens.
  let head: Buffer | undefined
  try {
    const decipher = createDecipheriv("aes-256-gcm", master.key, p.n, { authTagLength: TAG_BYTES })
    decipher.setAAD(aad)
    decipher.setAuthTag(p.t)
    head = decipher.update(p.c)
    const tail = decipher.final()
    const out = new Uint8Array(head.length + tail.length)
    out.set(head, 0)
    out.set(tail, head.length)
    tail.fill(0)
    return out
  } catch {
    return new DecryptFailed({ walletId, keyId: p.kid })
  } finally {
    head?.fill(0)
  }
}

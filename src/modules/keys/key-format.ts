// API key format: `tk_<env>_<base58 of 32 random bytes><6-char checksum>`.
// The checksum lets the gateway (and secret scanners) reject a typo without
// a lookup; keys carry 256 bits of entropy, so SHA-256 is a sufficient hash.
import bs58 from "bs58"
import { createHash } from "node:crypto"

export type KeyEnvironment = "live" | "test"

const CHECKSUM_LENGTH = 6
const BASE58 = "[1-9A-HJ-NP-Za-km-z]"
const shape = new RegExp(`^tk_(live|test)_(${BASE58}{32,44})(${BASE58}{${CHECKSUM_LENGTH}})$`)

const checksumOf = (prefixAndBody: string): string => {
  const digest = createHash("sha256").update(prefixAndBody).digest()
  // 4 bytes in base58 fit 6 characters (58^6 > 2^32); left-pad with '1' (zero).
  return bs58.encode(digest.subarray(0, 4)).padStart(CHECKSUM_LENGTH, "1")
}

export const generateApiKey = (environment: KeyEnvironment, random: Uint8Array = crypto.getRandomValues(new Uint8Array(32))): string => {
  const head = `tk_${environment}_${bs58.encode(random)}`
  return head + checksumOf(head)
}

export type ParsedKey = { readonly environment: KeyEnvironment; readonly body: string }

/** Format and checksum check, no I/O. `undefined` for anything that cannot be a key. */
export const parseApiKey = (candidate: string): ParsedKey | undefined => {
  if (candidate.length > 80) return undefined
  const m = shape.exec(candidate)
  if (!m) return undefined
  const head = candidate.slice(0, candidate.length - CHECKSUM_LENGTH)
  if (checksumOf(head) !== m[3]) return undefined
  return { environment: m[1] as KeyEnvironment, body: m[2]! }
}

/** What the database stores and indexes: SHA-256 of the whole key, hex. */
export const hashApiKey = (key: string): string => createHash("sha256").update(key).digest("hex")

/** Shown in listings so a developer can tell keys apart: `tk_live_3xAb…`. */
export const displayPrefix = (key: string): string => `${key.slice(0, key.indexOf("_", 3) + 5)}…`

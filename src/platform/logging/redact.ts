// The one rule every log line passes through. It is deliberately greedy: a
// false positive costs a less useful log line, a false negative leaks money.

import { isOwnId, isUuid } from "../ids"
import { ADDRESS_TEXT } from "../solana/address"

const REDACTED = "[REDACTED]"

// Field names whose values are secrets whatever they look like.
const secretField = /(pass(word)?|secret|token|authorization|cookie|api[_-]?key|private|seed|master|mnemonic|encrypted)/i

// Public identifiers that are safe and useful to log, checked by shape too so a
// secret put under one of these names still does not pass.
const publicFields: Record<string, RegExp> = {
  public_key: ADDRESS_TEXT,
  publicKey: ADDRESS_TEXT,
  wallet: ADDRESS_TEXT,
  payer: ADDRESS_TEXT,
  payer_wallet: ADDRESS_TEXT,
  tx_signature: /^[1-9A-HJ-NP-Za-km-z]{64,88}$/,
  txSignature: /^[1-9A-HJ-NP-Za-km-z]{64,88}$/,
}

const patterns: ReadonlyArray<[RegExp, string]> = [
  // Credentials and query strings inside any URL (user:pass@host, ?api-key=…).
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@"']+@/gi, "$1" + REDACTED + "@"],
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s?#"']*)\?[^\s#"']*/gi, "$1?" + REDACTED],
  // user:password@ even where the URL around it is malformed.
  [/([^\s/@:"']+):[^\s/@"']+@/g, "$1:" + REDACTED + "@"],
  // A secret written as name=value or name: value in free text.
  [/\b(pass(?:word)?|pwd|secret|token|api[_-]?key)(\s*[:=]\s*)[^\s&"',;]+/gi, "$1$2" + REDACTED],
  // API keys, whole or partial after the environment prefix.
  [/\btk_(live|test)_[A-Za-z0-9]+/g, "tk_$1_" + REDACTED],
  // Stripe secrets, restricted keys and webhook secrets.
  [/\b(sk|rk)_(live|test)_[A-Za-z0-9]+/g, "$1_$2_" + REDACTED],
  [/\bwhsec_[A-Za-z0-9+/=]+/g, "whsec_" + REDACTED],
  // Bearer credentials of any shape.
  [/\b(Bearer|Basic)\s+[^\s"',;]+/gi, "$1 " + REDACTED],
  // Hex key material (16+ bytes).
  [/\b[0-9a-fA-F]{32,}\b/g, REDACTED],
  // base58 / base64 / base64url runs long enough to hold 30+ bytes.
  [/[A-Za-z0-9+/_-]{40,}={0,2}/g, REDACTED],
  // A JSON byte array (how web3.js prints a secret key).
  [/\[\s*\d{1,3}(\s*,\s*\d{1,3}){31,}\s*\]/g, REDACTED],
]

/**
 * A request path, segment by segment: our ids and UUIDs stay readable (they
 * authorise nothing), any other segment passes the rules above on its own, so
 * an id no longer joins its neighbours into one long "secret-shaped" run.
 */
export const redactPath = (path: string): string =>
  path
    .split("/")
    .map((segment) => (isOwnId(segment) || isUuid(segment) ? segment : redactString(segment)))
    .join("/")

export const redactString = (s: string): string => {
  let out = s
  for (const [re, replacement] of patterns) out = out.replace(re, replacement)
  return out
}

/** Deep copy of `value` with every secret-shaped string or secret-named field replaced. */
export const redact = (value: unknown, field?: string, depth = 0): unknown => {
  if (depth > 8) return REDACTED
  if (field !== undefined && secretField.test(field) && value !== null && value !== undefined && typeof value !== "boolean") return REDACTED
  if (typeof value === "string") {
    if (field === "path") return redactPath(value)
    const allowed = field !== undefined ? publicFields[field] : undefined
    return allowed?.test(value) ? value : redactString(value)
  }
  if (value instanceof Uint8Array) return REDACTED
  if (Array.isArray(value)) return value.map((v) => redact(v, undefined, depth + 1))
  if (value instanceof Error) return { name: value.name, message: redactString(value.message) }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = redact(v, k, depth + 1)
    return out
  }
  return value
}

// TRUST_PROXY: how many proxies in front of the server append to
// X-Forwarded-For (modules/auth/client-address.ts reads the client's address
// that many entries from the right).
import type { Read } from "./parse"

/** Most hops TRUST_PROXY accepts; real chains are one to three proxies long. */
export const MAX_TRUSTED_HOPS = 10

/** TRUST_PROXY: a number of hops; `true` is 1 (the older boolean form), `false` is 0. */
export const trustedHops: Read<number> = (raw) => {
  const v = raw.trim().toLowerCase()
  if (["true", "yes", "on"].includes(v)) return { ok: true, value: 1 }
  if (["false", "no", "off"].includes(v)) return { ok: true, value: 0 }
  const n = /^\d+$/.test(v) ? Number(v) : Number.NaN
  return Number.isSafeInteger(n) && n <= MAX_TRUSTED_HOPS
    ? { ok: true, value: n }
    : { ok: false, expected: `the number of trusted proxies in front of the server, 0 to ${MAX_TRUSTED_HOPS} (true = 1, false = 0)` }
}

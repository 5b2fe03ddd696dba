// Prefixed, time-sortable ids: `<prefix>_<10 chars ms time><16 chars random>`
// in Crockford base32, so ids sort by creation time and say what they name.
const prefixes = ["usr", "key", "ses", "wal", "use", "req", "evt", "rcp", "pi", "agt", "rep"] as const
export type IdPrefix = (typeof prefixes)[number]

const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

const encodeTime = (ms: number): string => {
  let out = ""
  let n = ms
  for (let i = 0; i < 10; i++) {
    out = alphabet[n % 32] + out
    n = Math.floor(n / 32)
  }
  return out
}

const encodeRandom = (bytes: Uint8Array): string => {
  let out = ""
  for (let i = 0; i < 16; i++) out += alphabet[bytes[i]! % 32]
  return out
}

export const newId = (prefix: IdPrefix, now: number = Date.now(), random: Uint8Array = crypto.getRandomValues(new Uint8Array(16))): string =>
  `${prefix}_${encodeTime(now)}${encodeRandom(random)}`

export const isId = (prefix: IdPrefix, value: string): boolean =>
  new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`).test(value)

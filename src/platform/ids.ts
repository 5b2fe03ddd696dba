// Prefixed, time-sortable ids: `<prefix>_<10 chars ms time><16 chars random>`
// in Crockford base32, so ids sort by creation time and say what they name.
const prefixes = ["usr", "key", "ses", "wal", "use", "req", "evt", "rcp", "pi", "agt", "rep", "lse", "mtb", "whe"] as const
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

// Within one millisecond, ids of this process still sort in creation order:
// the random part is incremented instead of redrawn (as monotonic ULIDs do).
let lastTime = -1
let lastRandom: Uint8Array = new Uint8Array(16)

const increment = (bytes: Uint8Array): Uint8Array => {
  const next = bytes.slice()
  for (let i = next.length - 1; i >= 0; i--) {
    // Each position holds one base32 digit (0..31).
    if (next[i]! < 31) {
      next[i] = next[i]! + 1
      return next
    }
    next[i] = 0
  }
  return next
}

export const newId = (prefix: IdPrefix, now: number = Date.now(), random?: Uint8Array): string => {
  let digits: Uint8Array
  if (random !== undefined) digits = random.map((b) => b % 32)
  else if (now <= lastTime) digits = increment(lastRandom)
  else digits = crypto.getRandomValues(new Uint8Array(16)).map((b) => b % 32)
  if (random === undefined) {
    lastTime = Math.max(now, lastTime)
    lastRandom = digits
  }
  return `${prefix}_${encodeTime(Math.max(now, random === undefined ? lastTime : now))}${encodeRandom(digits)}`
}

export const isId = (prefix: IdPrefix, value: string): boolean =>
  new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`).test(value)

const ANY_ID = new RegExp(`^(${prefixes.join("|")})_[0-9A-HJKMNP-TV-Z]{26}$`)

/** Any of our own prefixed ids (they name rows; they authorise nothing). */
export const isOwnId = (value: string): boolean => ANY_ID.test(value)

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Marketplace ids (agents, intents, receipts) are UUIDs. */
export const isUuid = (s: string): boolean => UUID.test(s)

// Small typed readers for environment variables. Each returns a value or a
// one-line description of the expected form, which the loader prefixes with
// the variable's name.
import { Cron } from "croner"
import { isAddressShaped } from "../solana/address"

export type Read<A> = (raw: string) => { ok: true; value: A } | { ok: false; expected: string }

const ok = <A>(value: A) => ({ ok: true as const, value })
const bad = (expected: string) => ({ ok: false as const, expected })

export const int = (min: number, max: number): Read<number> => (raw) => {
  if (!/^-?\d+$/.test(raw.trim())) return bad(`an integer from ${min} to ${max}`)
  const n = Number(raw.trim())
  return Number.isSafeInteger(n) && n >= min && n <= max ? ok(n) : bad(`an integer from ${min} to ${max}`)
}

export const bool: Read<boolean> = (raw) => {
  const v = raw.trim().toLowerCase()
  if (["1", "true", "yes", "on"].includes(v)) return ok(true)
  if (["0", "false", "no", "off"].includes(v)) return ok(false)
  return bad("true or false")
}

export const oneOf = <const T extends string>(values: ReadonlyArray<T>): Read<T> => (raw) => {
  const v = raw.trim().toLowerCase()
  return (values as ReadonlyArray<string>).includes(v) ? ok(v as T) : bad(`one of ${values.join(", ")}`)
}

export const str = (minLength = 1): Read<string> => (raw) =>
  raw.length >= minLength ? ok(raw) : bad(`a string of at least ${minLength} characters`)

/**
 * A bearer secret that looks random: long, and not a few characters repeated
 * (`aaaa…` or a short word over and over would pass a length rule alone).
 */
export const randomToken = (minLength = 32, minDistinct = 12): Read<string> => (raw) =>
  raw.length >= minLength && new Set(raw).size >= minDistinct
    ? ok(raw)
    : bad(`a random token of at least ${minLength} characters with at least ${minDistinct} different characters (\`tdk admin new-token\` makes one)`)

export const httpUrl: Read<string> = (raw) => {
  try {
    const u = new URL(raw.trim())
    if (u.protocol !== "http:" && u.protocol !== "https:") return bad("an http(s) URL")
    return ok(raw.trim().replace(/\/+$/, ""))
  } catch {
    return bad("an http(s) URL")
  }
}

/** A Solana public key: base58, 32 to 44 characters (a mint, a wallet). */
export const base58Key: Read<string> = (raw) =>
  isAddressShaped(raw.trim()) ? ok(raw.trim()) : bad("a base58 Solana public key")

export const redisUrl: Read<string> = (raw) => {
  try {
    const u = new URL(raw.trim())
    return (u.protocol === "redis:" || u.protocol === "rediss:") && u.hostname !== "" ? ok(raw.trim()) : bad("a redis:// or rediss:// URL")
  } catch {
    return bad("a redis:// or rediss:// URL")
  }
}

/** A cron pattern croner accepts (5 fields, or 6 with seconds first). */
export const cronPattern: Read<string> = (raw) => {
  const v = raw.trim()
  try {
    new Cron(v, { paused: true }).stop()
    return ok(v)
  } catch {
    return bad("a cron pattern such as \"0 * * * *\" (minute hour day month weekday)")
  }
}

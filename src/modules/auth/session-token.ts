import bs58 from "bs58"
import { createHash } from "node:crypto"

export const SESSION_COOKIE = "tdk_session"
const PREFIX = "tks_"

/** Opaque session token: only its SHA-256 is stored. */
export const newSessionToken = (): string => PREFIX + bs58.encode(crypto.getRandomValues(new Uint8Array(32)))

export const isSessionToken = (s: string): boolean => s.startsWith(PREFIX) && s.length <= 64 && /^tks_[1-9A-HJ-NP-Za-km-z]+$/.test(s)

export const hashSessionToken = (token: string): string => createHash("sha256").update(token).digest("hex")

export const sessionCookie = (token: string, maxAgeSeconds: number, secure: boolean): string =>
  `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure ? "; Secure" : ""}`

export const clearedSessionCookie = (secure: boolean): string =>
  `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure ? "; Secure" : ""}`

export const sessionTokenFrom = (authorization: string | null, cookie: string | null): string | undefined => {
  const bearer = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined
  if (bearer && isSessionToken(bearer)) return bearer
  for (const part of (cookie ?? "").split(";")) {
    const [name, ...rest] = part.trim().split("=")
    if (name === SESSION_COOKIE) {
      const value = rest.join("=")
      if (isSessionToken(value)) return value
    }
  }
  return undefined
}

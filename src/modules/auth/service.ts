// Accounts: register (throttled per client address; user + first key in one
// transaction, then the Stripe customer when billing is on), login (throttled,
// see throttle.ts; opaque session token, stored hashed), logout, and the
// session step used by the key-management routes.
import { Clock, Effect } from "effect"
import { AppConfig } from "../../platform/config/service"
import { InvalidInput } from "../../platform/http/errors"
import { newId } from "../../platform/ids"
import { Store } from "../../store/store"
import { customerAtRegistration } from "../billing/customers"
import { newKey } from "../keys/service"
import { credentialProblems, normaliseEmail } from "./credentials"
import { EmailTaken, InvalidCredentials, SessionRequired } from "./errors"
import { hashSessionToken, newSessionToken, sessionTokenFrom } from "./session-token"
import { AuthThrottle } from "./throttle"

const hashPassword = (password: string) => Effect.promise(() => Bun.password.hash(password, { algorithm: "argon2id" }))

// Verifying against this when the email is unknown keeps both paths equally slow.
let decoyHash: Promise<string> | undefined
const decoy = () => (decoyHash ??= Bun.password.hash("decoy-password-for-timing", { algorithm: "argon2id" }))

const verifyPassword = (password: string, hash: string | undefined) =>
  Effect.promise(async () => {
    const ok = await Bun.password.verify(password, hash ?? (await decoy())).catch(() => false)
    return hash !== undefined && ok
  })

/** Who asks: a client at an address (throttled), or the operator's CLI (not). */
export type Registrant = { readonly clientAddress: string } | "operator"

export const register = Effect.fn("Auth.register")(function* (email: string, password: string, registrant: Registrant) {
  const problems = credentialProblems(email, password)
  if (problems.length > 0) return yield* new InvalidInput({ detail: problems.map((p) => `${p.field} ${p.message}`).join("; "), errors: problems })
  // Before anything is written or hashed: a refused sign-up creates nothing.
  if (registrant !== "operator") yield* (yield* AuthThrottle).signup(registrant.clientAddress)
  const store = yield* Store
  const config = yield* AppConfig
  const now = yield* Clock.currentTimeMillis
  const user = { id: newId("usr", now), email: normaliseEmail(email), passwordHash: yield* hashPassword(password), tier: "free", createdAt: now }
  const key = newKey(user.id, "default", "live", "free", now)
  const created = yield* store.users.insertWithKey(user, key.row)
  if (!created) return yield* new EmailTaken()
  // After the account is committed: a Stripe failure must not lose it (see billing/customers.ts).
  yield* customerAtRegistration(user)
  return { user, key, limits: config.tiers.free }
})

export const login = Effect.fn("Auth.login")(function* (email: string, password: string, clientAddress: string) {
  const store = yield* Store
  const config = yield* AppConfig
  const throttle = yield* AuthThrottle
  const normal = normaliseEmail(email)
  // Counted before the lookup, the same for any email: a refusal says nothing of the account.
  yield* throttle.login(normal, clientAddress)
  const user = yield* store.users.findByEmail(normal)
  const ok = yield* verifyPassword(password, user?.passwordHash)
  if (!ok || !user) return yield* new InvalidCredentials()
  // The password is right; a store that cannot clear the pair's count only leaves it to lapse.
  yield* throttle.loginSucceeded(normal, clientAddress).pipe(
    Effect.catchTag("LimiterUnavailable", (e) => Effect.logWarning("login throttle not cleared; it lapses on its own", { reason: e.reason })),
  )
  const now = yield* Clock.currentTimeMillis
  const token = newSessionToken()
  const expiresAt = now + config.sessionTtlMs
  yield* store.sessions.insert({ id: newId("ses", now), userId: user.id, tokenHash: hashSessionToken(token), createdAt: now, expiresAt })
  return { token, expiresAt, user }
})

export const logout = Effect.fn("Auth.logout")(function* (authorization: string | null, cookie: string | null) {
  const token = sessionTokenFrom(authorization, cookie)
  if (token === undefined) return yield* new SessionRequired()
  const store = yield* Store
  yield* store.sessions.deleteByHash(hashSessionToken(token))
})

/** The signed-in user behind a bearer session token or the session cookie. */
export const requireSession = Effect.fn("Auth.requireSession")(function* (authorization: string | null, cookie: string | null) {
  const token = sessionTokenFrom(authorization, cookie)
  if (token === undefined) return yield* new SessionRequired()
  const store = yield* Store
  const now = yield* Clock.currentTimeMillis
  const session = yield* store.sessions.findLive(hashSessionToken(token), now)
  if (!session) return yield* new SessionRequired()
  const user = yield* store.users.findById(session.userId)
  if (!user) return yield* new SessionRequired()
  return user
})

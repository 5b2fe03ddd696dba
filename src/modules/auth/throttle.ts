// Sign-up and login throttling, on the limiter's store (RATE_LIMIT_BACKEND):
// on Postgres or Redis every instance counts against the same state.
//
// Sign-ups: a GCRA per client address, SIGNUP_MAX_PER_HOUR an hour (a burst
// of that many, then one every hour / N). Checked before anything is written,
// so a refused sign-up creates nothing.
//
// Logins count three things, each keyed by the normalised email whether or
// not an account has it, so a refusal tells nothing about existence:
// - the (account, address) pair: LOGIN_MAX_FAILURES attempts, then a lockout
//   of LOGIN_LOCKOUT_MS that doubles with each further attempt, up to
//   LOGIN_FAILURE_WINDOW_MS (backoff.ts). A correct password clears it. Only
//   that address is locked out of that account.
// - the account from all addresses, and the address at all accounts: GCRA
//   ceilings far above the pair's (LOGIN_MAX_PER_ACCOUNT / _PER_ADDRESS per
//   window). Past one, an attempt passes every window / N (9 s by default),
//   so a guesser spread over many addresses slows the account down but never
//   locks its owner out for long.
// The pair's lock is read first and costs nothing: one locked address
// hammering away cannot use up the account's ceiling. Then the ceilings
// count, then the pair counts (atomically, so concurrent attempts cannot all
// slip past the read).
import { createHash } from "node:crypto"
import { Clock, Context, Effect, Layer } from "effect"
import { AppConfig } from "../../platform/config/service"
import type { BackoffRule } from "../limits/backoff"
import type { LimiterUnavailable } from "../limits/errors"
import { LimitsBackend } from "../limits/backend"
import { throttleAddress } from "./client-address"
import { LoginThrottled, SignupThrottled } from "./errors"

const HOUR_MS = 3_600_000

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000))

/** Limiter state outlives the request in Postgres and Redis: emails are kept there as SHA-256 digests, not in clear (a dictionary of addresses can still match one). */
const accountKey = (email: string) => createHash("sha256").update(email).digest("base64url").slice(0, 22)

export type AuthThrottleShape = {
  /** Counts a sign-up from the address, or refuses it. */
  readonly signup: (address: string) => Effect.Effect<void, SignupThrottled | LimiterUnavailable>
  /** Counts a login attempt at the (normalised) email from the address, or refuses it; call before checking the password. */
  readonly login: (email: string, address: string) => Effect.Effect<void, LoginThrottled | LimiterUnavailable>
  /** The password was right: the pair starts over. */
  readonly loginSucceeded: (email: string, address: string) => Effect.Effect<void, LimiterUnavailable>
}

export class AuthThrottle extends Context.Service<AuthThrottle, AuthThrottleShape>()("tdk/AuthThrottle") {
  static readonly layer = Layer.effect(
    AuthThrottle,
    Effect.gen(function* () {
      const config = yield* AppConfig
      const store = yield* LimitsBackend
      const window = config.loginFailureWindowMs
      const pairRule: BackoffRule = { free: config.loginMaxFailures, baseMs: config.loginLockoutMs, maxMs: window, forgetMs: window }
      const pairKey = (email: string, address: string) => `login:pair:${accountKey(email)}:${throttleAddress(address)}`
      const refused = (retryAfterMs: number) => new LoginThrottled({ retryAfterSeconds: seconds(retryAfterMs) })
      return {
        signup: Effect.fn("AuthThrottle.signup")(function* (address: string) {
          if (config.signupMaxPerHour === 0) return
          const now = yield* Clock.currentTimeMillis
          const d = yield* store.gcra(`signup:${throttleAddress(address)}`, config.signupMaxPerHour, now, HOUR_MS)
          if (!d.allowed) return yield* new SignupThrottled({ retryAfterSeconds: seconds(d.retryAfterMs) })
        }),
        login: Effect.fn("AuthThrottle.login")(function* (email: string, address: string) {
          const now = yield* Clock.currentTimeMillis
          const pair = pairKey(email, address)
          const wait = yield* store.backoff.wait(pair, pairRule, now)
          if (wait > 0) return yield* refused(wait)
          // The address first: one over its own ceiling must not spend the ceilings of the accounts it tries.
          const from = yield* store.gcra(`login:address:${throttleAddress(address)}`, config.loginMaxPerAddress, now, window)
          if (!from.allowed) return yield* refused(from.retryAfterMs)
          const account = yield* store.gcra(`login:account:${accountKey(email)}`, config.loginMaxPerAccount, now, window)
          if (!account.allowed) return yield* refused(account.retryAfterMs)
          const attempt = yield* store.backoff.attempt(pair, pairRule, now)
          if (!attempt.allowed) return yield* refused(attempt.retryAfterMs)
        }),
        loginSucceeded: Effect.fn("AuthThrottle.loginSucceeded")(function* (email: string, address: string) {
          yield* store.backoff.clear(pairKey(email, address))
        }),
      }
    }),
  )
}

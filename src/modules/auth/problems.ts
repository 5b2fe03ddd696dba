// The problem documents of this module's errors. Sign-up, login and sessions.
// The map is keyed by every tag of the union, so an error without one does not compile.
import { bearerChallenge, type ProblemMap } from "../../platform/http/problem"
import type { EmailTaken, InvalidCredentials, LoginThrottled, SessionRequired, SignupThrottled } from "./errors"

/** Every failure of this module that can reach a response. */
export type AuthFailure = EmailTaken | InvalidCredentials | LoginThrottled | SignupThrottled | SessionRequired

export const authProblems: ProblemMap<AuthFailure> = {
  EmailTaken: {
    status: 409,
    code: "email_taken",
    title: "Email already registered",
    detail: () => "An account with this email already exists. Log in instead.",
  },
  InvalidCredentials: {
    status: 401,
    code: "invalid_credentials",
    title: "Invalid credentials",
    detail: () => "The email or password is wrong.",
  },
  LoginThrottled: {
    status: 429,
    code: "login_throttled",
    title: "Too many failed logins",
    detail: (e) => `Too many login attempts. Try again in ${e.retryAfterSeconds} seconds.`,
    extra: (e) => ({ retry_after: e.retryAfterSeconds }),
    headers: (e) => ({ "retry-after": String(e.retryAfterSeconds) }),
  },
  SignupThrottled: {
    status: 429,
    code: "signup_throttled",
    title: "Too many sign-ups",
    detail: (e) => `Too many accounts were created from this address. Try again in ${e.retryAfterSeconds} seconds.`,
    extra: (e) => ({ retry_after: e.retryAfterSeconds }),
    headers: (e) => ({ "retry-after": String(e.retryAfterSeconds) }),
  },
  SessionRequired: {
    status: 401,
    code: "session_required",
    title: "Sign-in required",
    detail: () => "Log in with POST /v1/auth/login and send the session cookie or `Authorization: Bearer tks_...`.",
  },
}

// The problem documents of this module's errors. Sign-up, login and sessions.
// The map is keyed by every tag of the union, so an error without one does not compile.
import { problem, type ProblemMap } from "../../platform/http/problem"
import type { EmailTaken, InvalidCredentials, LoginThrottled, SessionRequired, SignupThrottled } from "./errors"

/** Every failure of this module that can reach a response. */
export type AuthFailure = EmailTaken | InvalidCredentials | LoginThrottled | SignupThrottled | SessionRequired

export const authProblems: ProblemMap<AuthFailure> = {
  EmailTaken: problem(409, "email_taken", "Email already registered", () => "An account with this email already exists. Log in instead."),
  InvalidCredentials: problem(401, "invalid_credentials", "Invalid credentials", () => "The email or password is wrong."),
  LoginThrottled: problem(429, "login_throttled", "Too many failed logins", (e) => `Too many login attempts. Try again in ${e.retryAfterSeconds} seconds.`, { extra: (e) => ({ retry_after: e.retryAfterSeconds }), headers: (e) => ({ "retry-after": String(e.retryAfterSeconds) }) }),
  SignupThrottled: problem(429, "signup_throttled", "Too many sign-ups", (e) => `Too many accounts were created from this address. Try again in ${e.retryAfterSeconds} seconds.`, { extra: (e) => ({ retry_after: e.retryAfterSeconds }), headers: (e) => ({ "retry-after": String(e.retryAfterSeconds) }) }),
  SessionRequired: problem(401, "session_required", "Sign-in required", () => "Log in with POST /v1/auth/login and send the session cookie or `Authorization: Bearer tks_...`."),
}

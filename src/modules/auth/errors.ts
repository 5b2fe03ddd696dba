import { Data } from "effect"

export class EmailTaken extends Data.TaggedError("EmailTaken")<{}> {}
/** Wrong email or password; deliberately says which of the two it was never. */
export class InvalidCredentials extends Data.TaggedError("InvalidCredentials")<{}> {}
export class LoginThrottled extends Data.TaggedError("LoginThrottled")<{ readonly retryAfterSeconds: number }> {}
/** Too many sign-ups from the client's address (SIGNUP_MAX_PER_HOUR). */
export class SignupThrottled extends Data.TaggedError("SignupThrottled")<{ readonly retryAfterSeconds: number }> {}
export class SessionRequired extends Data.TaggedError("SessionRequired")<{}> {}

// Lockout with exponential backoff for repeated attempts on one key (logins
// from one address at one account). Pure, like gcra.ts: the memory backend
// runs it as is, Postgres and Redis run the same transition in one statement
// or one script.
//
// The state is two numbers: the attempts counted, and when the state may be
// forgotten (µs since the epoch). Every admitted attempt counts one; from the
// `free`-th on, each also locks the key for baseMs × 2^(attempts − free), at
// most maxMs. The key is forgotten forgetMs after its last attempt or the end
// of its lock, whichever is later, so a state whose forget time has passed
// decides exactly like an absent one (the rule the GCRA's TAT follows too):
// Postgres rows and Redis keys need no other expiry, and the lock's end is
// always `forgetAtUs − forgetMs`. A refused attempt changes nothing.

const US_PER_MS = 1000

/** Enough doublings for any lock config allows (1 s to a day is 2^17). */
export const MAX_DOUBLINGS = 20

export type BackoffRule = {
  /** Attempts admitted before the first lock (the `free`-th attempt sets it). */
  readonly free: number
  /** First lock, ms; each further attempt doubles it. */
  readonly baseMs: number
  /** Longest lock, ms. */
  readonly maxMs: number
  /** How long the count is remembered after the last attempt or lock, ms. */
  readonly forgetMs: number
}

export type BackoffState = {
  readonly attempts: number
  /** When the state may be forgotten, µs since the epoch. */
  readonly forgetAtUs: number
}

export type BackoffDecision = {
  readonly allowed: boolean
  /** Until the key's lock ends, ms; 0 when an attempt is admitted. */
  readonly retryAfterMs: number
}

/** The lock set by the `attempts`-th attempt, ms (0 below `free`). */
export const lockMs = (attempts: number, rule: BackoffRule): number =>
  attempts < rule.free ? 0 : Math.min(rule.maxMs, rule.baseMs * 2 ** Math.min(attempts - rule.free, MAX_DOUBLINGS))

const live = (nowMs: number, state: BackoffState | undefined): BackoffState | undefined =>
  state !== undefined && state.forgetAtUs > nowMs * US_PER_MS ? state : undefined

/** How long until an attempt is admitted, ms; 0 now. */
export const backoffWait = (nowMs: number, state: BackoffState | undefined, rule: BackoffRule): number => {
  const s = live(nowMs, state)
  if (s === undefined || s.attempts < rule.free) return 0
  return Math.max(0, Math.ceil((s.forgetAtUs - rule.forgetMs * US_PER_MS - nowMs * US_PER_MS) / US_PER_MS))
}

/** One attempt at `nowMs`: admitted and counted, or refused and nothing changes. */
export const backoff = (nowMs: number, state: BackoffState | undefined, rule: BackoffRule): { decision: BackoffDecision; state: BackoffState | undefined } => {
  const wait = backoffWait(nowMs, state, rule)
  if (wait > 0) return { decision: { allowed: false, retryAfterMs: wait }, state }
  const attempts = (live(nowMs, state)?.attempts ?? 0) + 1
  return {
    decision: { allowed: true, retryAfterMs: 0 },
    state: { attempts, forgetAtUs: (nowMs + lockMs(attempts, rule) + rule.forgetMs) * US_PER_MS },
  }
}

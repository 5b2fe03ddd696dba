// The Generic Cell Rate Algorithm for "N calls per minute": the whole state of
// a key is one number, its theoretical arrival time (TAT). Pure: every backend
// (in memory, one SQL statement, one Lua script) runs the same transition and
// hands the result to `describe`, so the numbers a client sees never depend on
// the backend.
//
// Units: times are integer microseconds. The emission interval is
// ceil(window / limit), so `limit` intervals span at least the window (a
// minute for API keys, an hour for sign-ups) and the burst tolerance
// (limit × interval) is an exact integer: a full burst of exactly `limit` is
// allowed, never limit ± 1 from float rounding. The cost is a refill at most
// 1 µs per call slower than limit/window.

export const WINDOW_MS = 60_000
const US_PER_MS = 1000
// MAX_LIMIT_PER_MINUTE (platform/tiers.ts) is one call per microsecond: the
// finest spacing these integer microseconds can express.

export type GcraState = {
  /** Theoretical arrival time, µs since the epoch. A TAT at or before now is the same as no state. */
  readonly tatUs: number
}

export type GcraDecision = {
  readonly allowed: boolean
  readonly limit: number
  /** Calls that would still be allowed right now after this one. */
  readonly remaining: number
  /** Until the whole limit is available again, ms. */
  readonly resetMs: number
  /** Until the next call can be allowed, ms; 0 when this one was allowed. */
  readonly retryAfterMs: number
}

export type GcraParams = {
  /** Spacing between calls at the sustained rate, µs. */
  readonly intervalUs: number
  /** Burst tolerance plus one interval (limit × interval), µs: how far ahead of now the TAT may run. */
  readonly periodUs: number
}

/** `limit` calls per `windowMs` (a minute unless told). */
export const gcraParams = (limit: number, windowMs: number = WINDOW_MS): GcraParams => {
  if (!Number.isSafeInteger(windowMs) || windowMs < 1 || windowMs > 366 * 86_400_000) throw new RangeError(`window must be an integer from 1 ms to a year, got ${windowMs}`)
  const max = windowMs * US_PER_MS
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > max) {
    throw new RangeError(`limit per ${windowMs} ms must be an integer from 1 to ${max}, got ${limit}`)
  }
  const intervalUs = Math.ceil(max / limit)
  return { intervalUs, periodUs: intervalUs * limit }
}

const ceilDiv = (a: number, b: number) => Math.ceil(a / b)

/**
 * The decision for a TAT as it stands after the transition: the new TAT when
 * the call was allowed, the unchanged one when it was refused.
 */
export const describe = (nowMs: number, tatUs: number, limitPerMinute: number, allowed: boolean, { intervalUs, periodUs }: GcraParams): GcraDecision => {
  const nowUs = nowMs * US_PER_MS
  const ahead = Math.max(0, tatUs - nowUs)
  const remaining = Math.max(0, Math.floor((periodUs - ahead) / intervalUs))
  // The next call is allowed once the TAT it would produce is within the period.
  const retryAfterUs = allowed ? 0 : Math.max(0, tatUs + intervalUs - periodUs - nowUs)
  return {
    allowed,
    limit: limitPerMinute,
    remaining: allowed ? remaining : 0,
    resetMs: ceilDiv(ahead, US_PER_MS),
    retryAfterMs: ceilDiv(retryAfterUs, US_PER_MS),
  }
}

/** One call at `nowMs` against `state` (undefined = never seen or idle), `limit` per `windowMs`. */
export const gcra = (nowMs: number, state: GcraState | undefined, limit: number, windowMs: number = WINDOW_MS): { decision: GcraDecision; state: GcraState | undefined } => {
  const params = gcraParams(limit, windowMs)
  const { intervalUs, periodUs } = params
  const nowUs = nowMs * US_PER_MS
  const start = Math.max(state?.tatUs ?? nowUs, nowUs)
  const next = start + intervalUs
  if (next - periodUs <= nowUs) return { decision: describe(nowMs, next, limit, true, params), state: { tatUs: next } }
  return { decision: describe(nowMs, start, limit, false, params), state }
}

/** True when the state can be forgotten without changing any future decision. */
export const isIdle = (nowMs: number, state: GcraState): boolean => state.tatUs <= nowMs * US_PER_MS

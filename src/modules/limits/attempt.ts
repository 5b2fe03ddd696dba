// Runs one round trip to Postgres or Redis as an Effect whose only failure is
// LimiterUnavailable. The time limit is wall time on the promise, not
// Effect.timeout: it guards I/O, and tests move Effect's Clock freely.
import { Effect } from "effect"
import { LimiterUnavailable } from "./errors"

const scrub = (text: string) => text.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, "<url>").slice(0, 200)

export const reasonOf = (cause: unknown): string => {
  const e = cause as { code?: unknown; message?: unknown } | undefined
  const code = typeof e?.code === "string" ? `${e.code}: ` : ""
  return scrub(`${code}${typeof e?.message === "string" ? e.message : String(cause)}`)
}

export const attemptBackend = <A>(
  backend: LimiterUnavailable["backend"],
  operation: string,
  timeoutMs: number,
  run: () => Promise<A>,
): Effect.Effect<A, LimiterUnavailable> =>
  Effect.tryPromise({
    try: () => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
      })
      return Promise.race([run(), timeout]).finally(() => clearTimeout(timer))
    },
    catch: (cause) => new LimiterUnavailable({ backend, operation, reason: reasonOf(cause) }),
  })

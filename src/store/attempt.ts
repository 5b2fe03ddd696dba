// Turns a driver promise into an Effect whose only failure is StoreUnavailable;
// constraint violations a repository expects are translated before this point.
import { Effect } from "effect"
import { StoreUnavailable } from "../platform/db/errors"

const isThenable = <A>(value: A | PromiseLike<A>): value is PromiseLike<A> =>
  typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function"

export const attempt = <A>(f: () => A | PromiseLike<A>): Effect.Effect<A, StoreUnavailable> =>
  Effect.suspend(() => {
    // bun:sqlite answers synchronously: no promise hop for it (it is on every
    // request's path); postgres.js answers with a promise.
    let result: A | PromiseLike<A>
    try {
      result = f()
    } catch (cause) {
      return Effect.fail(new StoreUnavailable({ cause }))
    }
    // drizzle's Postgres queries are thenables, not Promise instances.
    return isThenable(result)
      ? Effect.tryPromise({ try: async () => await result, catch: (cause) => new StoreUnavailable({ cause }) })
      : Effect.succeed(result)
  })

/** True when `cause` is a unique-constraint violation on either dialect. */
export const isUniqueViolation = (cause: unknown): boolean => {
  const e = cause as { code?: string; errno?: number; message?: string; cause?: unknown } | undefined
  if (!e) return false
  if (e.code === "23505" || e.code === "SQLITE_CONSTRAINT_UNIQUE" || e.code === "SQLITE_CONSTRAINT_PRIMARYKEY") return true
  if (typeof e.message === "string" && /UNIQUE constraint failed|duplicate key value/.test(e.message)) return true
  return e.cause !== undefined && e.cause !== e ? isUniqueViolation(e.cause) : false
}

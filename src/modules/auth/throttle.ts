// Failed-login counting per account and per client address, in process.
// Past the limit, logins for that account or address are refused until the
// oldest failure leaves the window, whether or not the account exists.
import { Context, Layer, Effect } from "effect"
import { AppConfig } from "../../platform/config/service"

export type LoginThrottleShape = {
  /** Seconds to wait, or 0 when a login may be attempted now. */
  readonly retryAfter: (keys: ReadonlyArray<string>, now: number) => number
  readonly fail: (keys: ReadonlyArray<string>, now: number) => void
  readonly succeed: (key: string) => void
}

export class LoginThrottle extends Context.Service<LoginThrottle, LoginThrottleShape>()("tdk/LoginThrottle") {
  static readonly layer = Layer.effect(
    LoginThrottle,
    Effect.gen(function* () {
      const { loginMaxFailures: max, loginFailureWindowMs: window } = yield* AppConfig
      const failures = new Map<string, Array<number>>()
      const recent = (key: string, now: number) => {
        const list = (failures.get(key) ?? []).filter((t) => t > now - window)
        if (list.length === 0) failures.delete(key)
        else failures.set(key, list)
        return list
      }
      return {
        retryAfter: (keys, now) =>
          Math.max(0, ...keys.map((k) => {
            const list = recent(k, now)
            return list.length >= max ? Math.ceil((list[list.length - max]! + window - now) / 1000) : 0
          })),
        fail: (keys, now) => {
          for (const k of keys) failures.set(k, [...recent(k, now), now])
        },
        succeed: (key) => void failures.delete(key),
      }
    }),
  )
}

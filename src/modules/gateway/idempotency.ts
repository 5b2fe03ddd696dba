// Idempotency-Key handling for POSTs that may move money. The first request
// with a key claims it; its final answer is stored for 24 h and replayed to
// repeats with the same body. Answers that prove nothing was paid (409, 429,
// 503, and typed 5xx raised before submit) are not stored, so a retry can
// succeed; a defect's 500 is stored, since it may follow a payment.
// A claimed request is not cut short by its client disconnecting.
import { Cause, Clock, Effect, Exit, Fiber } from "effect"
import { createHash } from "node:crypto"
import type { StoreUnavailable } from "../../platform/db/errors"
import { IdempotencyInFlight, IdempotencyKeyInvalid, IdempotencyKeyReused } from "./errors"
import { AppConfig } from "../../platform/config/service"
import type { Claim } from "../../store/idempotency/repo"
import { Store } from "../../store/store"
import { DetachedCalls } from "./detached-calls"
import { Problems } from "../../platform/http/problems-service"
import { internalProblem } from "../../platform/http/respond"
import { mayHaveSettled } from "../marketplace/errors"

const keyShape = /^[\x21-\x7e]{1,255}$/

// A failure after the payment may have been sent (mayHaveSettled, the rule the
// call's own bookkeeping follows) is replayed, never retried.
const retryable = (status: number, error: { readonly _tag: string }) => status === 409 || status === 429 || status === 503 || (status >= 500 && !mayHaveSettled(error))

export const requestHash = (...parts: ReadonlyArray<string>): string => createHash("sha256").update(parts.join("\n")).digest("hex")

export type Answer = { readonly status: number; readonly body: unknown; readonly headers?: Record<string, string> }

const toResponse = (status: number, text: string, extra: Record<string, string> = {}) =>
  new Response(text, { status, headers: { "content-type": status < 400 ? "application/json" : "application/problem+json", ...extra } })

/** What `respond` would have logged for a failure, had the client still been waiting. */
const logAbandonedFailure = <E>(cause: Cause.Cause<E>, requestId: string) => Effect.flatMap(Problems, (problems) => {
  const error = Cause.findErrorOption(cause)
  const rendered = error._tag === "Some" ? problems.render(error.value, requestId) : undefined
  if (rendered) {
    const { body } = rendered
    return body.status >= 500 ? Effect.logWarning("call failed after its client disconnected", { code: body.code, status: body.status }) : Effect.void
  }
  return Cause.hasInterruptsOnly(cause) ? Effect.void : Effect.logError("call failed after its client disconnected", { cause: Cause.pretty(cause) })
})

export const idempotent = <E extends { readonly _tag: string }, R>(
  scope: string,
  key: string | null,
  /** Only computed when the request carries a key (it hashes the whole body). */
  hash: () => string,
  requestId: string,
  program: Effect.Effect<Answer, E, R>,
): Effect.Effect<Response, E | IdempotencyKeyInvalid | IdempotencyKeyReused | IdempotencyInFlight | StoreUnavailable, R | Store | AppConfig | DetachedCalls | Problems> =>
  Effect.gen(function* () {
    if (key === null) {
      const a = yield* program
      return toResponse(a.status, JSON.stringify(a.body), a.headers)
    }
    if (!keyShape.test(key)) return yield* new IdempotencyKeyInvalid()
    const store = yield* Store
    const config = yield* AppConfig
    const problems = yield* Problems
    const now = yield* Clock.currentTimeMillis
    // The claimed request runs to its end in its own fiber, even if the client
    // goes away: the retry the key exists for then finds the stored answer
    // (or, while it still runs, a 409) instead of a claim stuck in flight.
    // Set once the client has stopped waiting: from then on nobody else
    // reports what happens to the call, so its fiber logs a failure itself.
    let abandoned = false
    const record = Effect.gen(function* () {
      const exit = yield* Effect.exit(program)
      if (abandoned && Exit.isFailure(exit)) yield* logAbandonedFailure(exit.cause, requestId)
      if (Exit.isSuccess(exit)) {
        const text = JSON.stringify(exit.value.body)
        yield* store.idempotency.complete(scope, key, exit.value.status, text).pipe(Effect.catchTag("StoreUnavailable", () => Effect.logError("idempotent response not stored", { idempotency_key_scope: scope })))
        return toResponse(exit.value.status, text, exit.value.headers)
      }
      const error = Cause.findErrorOption(exit.cause)
      const rendered = error._tag === "Some" ? problems.render(error.value, requestId) : undefined
      if (error._tag === "Some" && rendered) {
        const { body } = rendered
        if (!retryable(body.status, error.value)) {
          yield* store.idempotency.complete(scope, key, body.status, JSON.stringify(body)).pipe(Effect.ignore)
          return yield* Effect.failCause(exit.cause)
        }
      }
      // A defect (a bug) may have struck after the payment left, in code the
      // call's own bookkeeping does not cover (a finalizer): its answer, a
      // 500, is kept for the key as Stripe keeps its 500s, so a retry replays
      // it instead of paying again. Only an interruption, or a failure that
      // proves nothing was paid, lets the key be used again.
      if (error._tag === "None" && !Cause.hasInterruptsOnly(exit.cause)) {
        yield* store.idempotency.complete(scope, key, 500, JSON.stringify(internalProblem(requestId))).pipe(Effect.ignore)
        return yield* Effect.failCause(exit.cause)
      }
      yield* store.idempotency.release(scope, key).pipe(Effect.ignore)
      return yield* Effect.failCause(exit.cause)
    })
    // Claiming and handing the request to its fiber happen together: a client
    // gone in between must not leave the key claimed by nobody.
    type Started = Exclude<Claim, { readonly kind: "claimed" }> | { readonly kind: "running"; readonly fiber: Fiber.Fiber<Response, E> }
    const detached = yield* DetachedCalls
    const claimed = yield* Effect.uninterruptible(
      Effect.flatMap(store.idempotency.claim(scope, key, hash(), now, config.idempotencyTtlMs), (claim): Effect.Effect<Started, never, R | Problems> =>
        claim.kind === "claimed" ? Effect.map(detached.fork(record), (fiber) => ({ kind: "running" as const, fiber })) : Effect.succeed(claim),
      ),
    )
    if (claimed.kind === "mismatch") return yield* new IdempotencyKeyReused()
    if (claimed.kind === "in_flight") return yield* new IdempotencyInFlight()
    if (claimed.kind === "replay") return toResponse(claimed.status, claimed.response, { "idempotent-replayed": "true" })
    return yield* Fiber.join(claimed.fiber).pipe(Effect.onInterrupt(() => Effect.sync(() => void (abandoned = true))))
  })

// A call's admission (rate step and slot), asked for while the call starts its
// work instead of before it: on a shared backend the round trip then overlaps
// the call's first steps (the marketplace building its payment). The call
// awaits the answer (`admitted`) before the first step that must not happen
// unadmitted: signing, and so recording and paying. A refusal interrupts the
// call wherever it is (it cannot be past that step), so a refused call holds
// nothing longer than the round trip. Whatever happens, the answer is awaited
// and a granted slot released, as withAdmission does.
//
// What a refused call may have done meanwhile is only its work before that
// step (a payment built and never signed). So that a key hammering past its
// limits does not have that work done for every refused request, a key this
// instance refused lately, or any key while the backend was unreachable
// lately, is admitted first, as before (ConcurrencyLimiter.refusedLately);
// so is every key on the in-memory limiter, whose answer takes no round trip.
import { Cause, Effect, Exit, Fiber } from "effect"
import { ConcurrencyLimiter, ConcurrencySlot, releaseOrLapse, withAdmission } from "./concurrency"
import type { ConcurrencyLimitExceeded, LimiterUnavailable, RateLimited } from "./errors"
import type { Decision } from "./model"

export type AdmissionRefused = RateLimited | ConcurrencyLimitExceeded | LimiterUnavailable

/** The call's admission: its rate decision once admitted, else why not. */
export type Admitted = Effect.Effect<Decision, AdmissionRefused>

/**
 * Runs `call` while its admission is asked for. A call that fails while its
 * admission is refused fails as refused (the answer it would have had before
 * doing anything). The result comes with the rate decision, for the headers.
 */
export const withAdmissionBeside = <A, E, R>(
  keyId: string,
  ratePerMinute: number,
  limit: number,
  call: (admitted: Admitted) => Effect.Effect<A, E, R>,
): Effect.Effect<{ readonly value: A; readonly decision: Decision }, E | AdmissionRefused, Exclude<R, ConcurrencySlot> | ConcurrencyLimiter> =>
  ConcurrencyLimiter.use((limiter) =>
    Effect.gen(function* () {
      // In memory the answer is at hand: nothing to overlap, so nothing is started before it.
      if (limiter.backend === "memory" || (yield* limiter.refusedLately(keyId)))
        return yield* withAdmission(keyId, ratePerMinute, limit, (decision) => Effect.map(call(Effect.succeed(decision)), (value) => ({ value, decision })))
      return yield* Effect.acquireUseRelease(
        // Started at once and never cut short, so the lease it was granted is released. (One granted
        // after the backend's time limit, when the answer is lost, lapses at its TTL, as with withAdmission.)
        Effect.map(Effect.forkDetach(limiter.admit(keyId, ratePerMinute, limit), { startImmediately: true, uninterruptible: true }), (admission) => {
          let freed = false
          const free = Effect.flatMap(Fiber.await(admission), (exit) => {
            if (!Exit.isSuccess(exit) || freed) return Effect.void
            freed = true
            return releaseOrLapse(limiter, exit.value.lease)
          })
          return { admission, free }
        }),
        ({ admission, free }) => {
          const admitted: Admitted = Effect.map(Fiber.join(admission), (a) => a.decision)
          // The refusal ends the call: the race's other side fails with it, and never ends otherwise.
          const refusal = Effect.flatMap(Fiber.join(admission), () => Effect.never)
          return Effect.raceFirst(call(admitted), refusal).pipe(
            Effect.catchCause((cause) =>
              Effect.flatMap(Fiber.await(admission), (exit) => {
                if (Exit.isSuccess(exit)) return Effect.failCause<E | AdmissionRefused>(cause)
                // The refusal is the answer; a bug the call met meanwhile must still be seen.
                const hidden = Cause.hasDies(cause) ? Effect.logError("a call failed while its admission was refused; answered with the refusal", { cause: Cause.pretty(cause) }) : Effect.void
                return Effect.andThen(hidden, Effect.failCause<E | AdmissionRefused>(exit.cause))
              }),
            ),
            Effect.flatMap((value) => Effect.map(admitted, (decision) => ({ value, decision }))),
            Effect.provideService(ConcurrencySlot, { free }),
          )
        },
        ({ free }) => free,
      )
    }),
  )

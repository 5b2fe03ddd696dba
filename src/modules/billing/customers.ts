// Stripe customers. Registration tries to create the customer at once; if
// Stripe fails, the account still exists and the next billing call (card,
// subscribe) creates it. The idempotency key `customer:<user id>` makes the
// retry return the same customer for 24 h, and the users row keeps the first
// id written, so concurrent attempts agree on one customer.
import { Effect } from "effect"
import { Store } from "../../store/store"
import type { UserRow } from "../../store/users/repo"
import { StripeClient } from "./stripe-client"

/** The user's Stripe customer id, creating and recording the customer when there is none yet. */
export const ensureCustomer = Effect.fn("Billing.ensureCustomer")(function* (user: Pick<UserRow, "id" | "email" | "stripeCustomerId">) {
  if (user.stripeCustomerId) return user.stripeCustomerId
  const stripe = yield* StripeClient
  const store = yield* Store
  const created = yield* stripe.createCustomer({ id: user.id, email: user.email })
  return (yield* store.users.setStripeCustomerId(user.id, created)) ?? created
})

/**
 * Registration's attempt. Never fails: an account must not be lost to a
 * Stripe outage, and nothing is billed before the customer exists (the
 * reporter flags rows of users without one rather than dropping them).
 */
export const customerAtRegistration = (user: Pick<UserRow, "id" | "email">) =>
  Effect.gen(function* () {
    const stripe = yield* StripeClient
    if (!stripe.enabled) return
    yield* ensureCustomer({ ...user, stripeCustomerId: null }).pipe(
      Effect.catch((e) =>
        Effect.logWarning("Stripe customer not created at registration; the next billing call creates it", {
          user_id: user.id,
          error: e._tag,
          ...(e._tag === "StripeRequestFailed" ? { kind: e.kind, status: e.status, code: e.code } : {}),
        }),
      ),
    )
  })

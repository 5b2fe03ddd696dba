import type { Effect } from "effect"
import type { StoreUnavailable } from "../../platform/db/errors"
import type { NewKey } from "../keys/repo"

export type UserRow = {
  readonly id: string
  readonly email: string
  readonly passwordHash: string
  readonly stripeCustomerId: string | null
  readonly cardVerifiedAt: number | null
  readonly tier: string
  readonly createdAt: number
}

export type NewUser = Pick<UserRow, "id" | "email" | "passwordHash" | "tier" | "createdAt">

export interface UsersRepo {
  /** Inserts a user; `false` when the email is taken. */
  readonly insert: (user: NewUser) => Effect.Effect<boolean, StoreUnavailable>
  /** Inserts a user and their first key in one transaction; `false` (nothing written) when the email is taken. */
  readonly insertWithKey: (user: NewUser, key: NewKey) => Effect.Effect<boolean, StoreUnavailable>
  readonly list: (options: { readonly limit: number; readonly after?: string | undefined }) => Effect.Effect<ReadonlyArray<UserRow>, StoreUnavailable>
  readonly findByEmail: (email: string) => Effect.Effect<UserRow | undefined, StoreUnavailable>
  readonly findById: (id: string) => Effect.Effect<UserRow | undefined, StoreUnavailable>
  readonly findByStripeCustomer: (customerId: string) => Effect.Effect<UserRow | undefined, StoreUnavailable>
  /**
   * Records the user's Stripe customer unless one is recorded already; returns
   * the customer id the row holds afterwards (the first one written wins).
   */
  readonly setStripeCustomerId: (userId: string, customerId: string) => Effect.Effect<string | undefined, StoreUnavailable>
  /** Sets the user's tier and every one of their keys' tier in one transaction; returns the ids of those keys. */
  readonly setTier: (userId: string, tier: string) => Effect.Effect<ReadonlyArray<string>, StoreUnavailable>
}

import type { Effect } from "effect"
import type { StoreUnavailable } from "../../platform/http/errors"

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
  readonly findByEmail: (email: string) => Effect.Effect<UserRow | undefined, StoreUnavailable>
  readonly findById: (id: string) => Effect.Effect<UserRow | undefined, StoreUnavailable>
}

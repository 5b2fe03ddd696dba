// The claim, shared by both dialects: lease the oldest pending rows, never a
// row another owner holds, never a user whose rows another owner holds.
// Postgres adds FOR UPDATE SKIP LOCKED (SQLite has one writer and no row locks).
import { sql } from "drizzle-orm"
import type { ClaimInput } from "./repo"

export const claimStatement = ({ owner, now, leaseMs, limit }: ClaimInput, options: { readonly skipLocked: boolean }) => sql`
  update usage set stripe_lease_owner = ${owner}, stripe_lease_until = ${now + leaseMs}
  where id in (
    select id from usage
    where stripe_state = 'pending' and state = 'settled'
      and (stripe_lease_until is null or stripe_lease_until < ${now} or stripe_lease_owner = ${owner})
      and user_id not in (
        select user_id from usage
        where stripe_state = 'pending' and stripe_lease_until >= ${now} and stripe_lease_owner <> ${owner})
    order by created_at, id
    limit ${limit}${options.skipLocked ? sql` for update skip locked` : sql``})
  returning id, user_id, developer_price_micro_usd, created_at`

/**
 * Hands a row back to the operator as flagged, lease cleared, from any of the
 * Stripe states `from` (the reporter flags pending rows Stripe refused; a
 * meter error report also flags rows already reported). Returns what it flagged.
 */
export const flagStatement = (id: string, reason: string, from: ReadonlyArray<"pending" | "reported">) => sql`
  update usage set stripe_state = 'flagged', stripe_error = ${reason.slice(0, 500)}, stripe_lease_owner = null, stripe_lease_until = null
  where id = ${id} and stripe_state in (${sql.join(from.map((state) => sql`${state}`), sql`, `)})
  returning id, user_id, developer_price_micro_usd`

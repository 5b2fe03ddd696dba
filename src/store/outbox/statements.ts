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

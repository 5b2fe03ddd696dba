// The order of Stripe events on one piece of state. Stripe does not deliver
// events in order, so each piece of state a webhook moves (a user's tier, a
// user's payment standing, a billing period's status) remembers the newest
// event applied to it, and an older one is recorded but not applied.
//
// Stripe's `created` is in whole seconds. At equal seconds, two events about
// one object are ordered by the state they carry (the terminal one wins: an
// invoice paid over failed, a subscription deleted over updated); events
// about different objects in the same second apply in arrival order, the
// best evidence there is.
import { sql } from "drizzle-orm"

export type Version = {
  /** `tier:<user>`, `payment:<user>` or `period:<user>:<YYYY-MM>`. */
  readonly subject: string
  readonly rank: number
  /** The Stripe object (invoice, subscription) the event is about. */
  readonly objectId: string
}

/** Takes the subject for this event if it is not older than the newest applied; returns a row only then. */
export const claimVersion = (v: Version, event: { readonly id: string; readonly created: number }) => sql`
  insert into stripe_state_versions (subject, event_created, event_rank, object_id, event_id)
  values (${v.subject}, ${event.created}, ${v.rank}, ${v.objectId}, ${event.id})
  on conflict (subject) do update set
    event_created = excluded.event_created, event_rank = excluded.event_rank, object_id = excluded.object_id, event_id = excluded.event_id
  where stripe_state_versions.event_created < excluded.event_created
    or (stripe_state_versions.event_created = excluded.event_created
      and (stripe_state_versions.object_id <> excluded.object_id or stripe_state_versions.event_rank <= excluded.event_rank))
  returning subject`

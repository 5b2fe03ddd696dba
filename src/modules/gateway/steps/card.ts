// REQUIRE_CARD_FOR_FREE: a free-tier key calls agents only once its owner has
// a verified card. Paid tiers already had to save one to subscribe. Test keys
// move no money (the sandbox serves them), so they need none: a developer
// builds against the gateway before paying anything. The card status comes
// with the key lookup (and its cache), so this costs no query.
import { Effect } from "effect"
import { AppConfig } from "../../../platform/config/service"
import { CardRequired } from "../../billing/errors"
import type { KeyIdentity } from "../../keys/identity"

export const requireCardIfConfigured = Effect.fn("Gateway.requireCard")(function* (identity: KeyIdentity) {
  const config = yield* AppConfig
  if (config.requireCardForFree && identity.environment === "live" && identity.tier === "free" && !identity.cardVerified) return yield* new CardRequired({ reason: "free_tier_requires_card" })
})

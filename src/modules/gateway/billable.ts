// Whether a settled call is reported to Stripe. Free-tier usage never is;
// paid tiers report from settlement on. Test calls ran on the sandbox and
// moved no real money: never billed, whatever the tier.
import type { KeyEnvironment } from "../keys/key-format"

export type SettlementBilling = "pending" | "skipped"

export const billingStateAtSettlement = (call: { readonly environment: KeyEnvironment; readonly tier: string }): SettlementBilling =>
  call.environment === "test" || call.tier === "free" ? "skipped" : "pending"

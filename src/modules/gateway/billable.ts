// Whether a call is billed, decided once when it is recorded and written on
// its row: settlement, by the call itself or later by the reconciler (maybe
// after the key changed tier), only reads it. Free-tier usage never is billed;
// paid tiers are. Test calls ran on the sandbox and moved no real money:
// never billed, whatever the tier.
import type { KeyEnvironment } from "../keys/key-format"

export const isBillable = (call: { readonly environment: KeyEnvironment; readonly tier: string }): boolean => call.environment === "live" && call.tier !== "free"

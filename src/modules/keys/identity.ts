import type { VerifiedKeyRow } from "../../store/keys/repo"
import { effectiveLimits, tierOf, type Limits, type Tier, type TierTable } from "../../platform/tiers"
import type { KeyEnvironment } from "./key-format"

/** Who is calling, as every `/v1` step after authentication sees it. */
export type KeyIdentity = {
  readonly keyId: string
  readonly userId: string
  readonly environment: KeyEnvironment
  readonly tier: Tier
  readonly limits: Limits
  readonly walletId: string | null
  /** The wallet holding the key's storage data (null before its first storage call); storage calls pay from it. */
  readonly storageWalletId: string | null
  readonly prefix: string
  /** The key's owner has saved a card (setup_intent.succeeded); read with the key, so cached with it. */
  readonly cardVerified: boolean
  /** Storage agents' input.wallet for this key: a server secret, never in a response or a log. */
  readonly storageNamespace: string
}

export const identityOf = (row: VerifiedKeyRow, tiers: TierTable): KeyIdentity => {
  const tier = tierOf(row.tier)
  return {
    keyId: row.id,
    userId: row.userId,
    environment: row.environment === "test" ? "test" : "live",
    tier,
    limits: effectiveLimits(tier, row, tiers),
    walletId: row.walletId,
    storageWalletId: row.storageWalletId,
    prefix: row.prefix,
    cardVerified: row.ownerCardVerifiedAt !== null,
    storageNamespace: row.storageNamespace,
  }
}

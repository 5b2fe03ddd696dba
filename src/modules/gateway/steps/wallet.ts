// The wallet that pays for this call: the key's own pool wallet, assigned on
// first use if the key has none yet.
import { Effect } from "effect"
import { Store } from "../../../store/store"
import type { KeyIdentity } from "../../keys/identity"
import { NoFundedWallet } from "../../pool/errors"
import { assignWallet } from "../../pool/service"

export const walletFor = Effect.fn("Gateway.wallet")(function* (identity: KeyIdentity) {
  const store = yield* Store
  const wallet = identity.walletId ? yield* store.wallets.findById(identity.walletId) : undefined
  const chosen = wallet ?? (yield* assignWallet(identity.keyId))
  if (chosen.status === "depleted" || chosen.status === "retired") return yield* new NoFundedWallet({ reason: `the key's wallet is ${chosen.status}` })
  return chosen
})

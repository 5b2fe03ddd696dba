// Which wallet pays one call. A key keeps its assigned wallet; when that
// wallet can no longer pay, a call to an ordinary agent borrows another
// wallet for this call only, while a call to a storage agent must fail: its
// data lives under the key's wallet, and paying from another would show the
// key someone else's (empty) view.
import { Effect } from "effect"
import { Store } from "../../store/store"
import type { WalletEnvironment, WalletRow } from "../../store/wallets/repo"
import { NoFundedWallet, WalletDepleted, WalletNotFound } from "./errors"
import { assignWallet } from "./service"

export type CallWallet = {
  readonly wallet: WalletRow
  /** True when the key's own wallet could not pay and this one stands in for this call only. */
  readonly borrowed: boolean
}

const cannotPay = (w: WalletRow): w is WalletRow & { status: "depleted" | "retired" } => w.status === "depleted" || w.status === "retired"

/**
 * `walletId` is the key's assigned wallet (null before its first call).
 * A stand-in is the paying wallet with the most USDC (active before
 * low_balance): borrowing adds no key to it, so what matters is that it can
 * pay this call and stays furthest from depletion; fewest-keys is the rule
 * for the lasting assignment, not for one call.
 */
export const walletForCall = Effect.fn("Pool.walletForCall")(function* (
  key: { readonly keyId: string; readonly walletId: string | null; readonly environment: WalletEnvironment },
  options: {
    readonly storage: boolean
    /**
     * Paying wallets read moments ago (the gateway's short-lived list): the
     * key's wallet found there is used as read, saving a database round trip
     * per call. One not found there (it stopped paying, or is new) is read.
     */
    readonly paying?: ReadonlyArray<WalletRow> | undefined
  },
) {
  const store = yield* Store
  const { keyId, walletId, environment } = key
  const known = walletId === null ? undefined : options.paying?.find((w) => w.id === walletId)
  const assigned = walletId === null ? yield* assignWallet(keyId) : (known ?? (yield* store.wallets.findById(walletId)))
  if (!assigned) return yield* Effect.fail(new WalletNotFound({ walletId: walletId ?? "" }))
  // A test key assigned a live wallet before test keys had a pool of their own moves to one.
  const own = assigned.environment === environment ? assigned : yield* assignWallet(keyId)
  if (!cannotPay(own)) return { wallet: own, borrowed: false } satisfies CallWallet
  if (options.storage) {
    yield* Effect.logWarning("storage call refused: the key's wallet cannot pay", { key_id: keyId, wallet_id: own.id, status: own.status })
    return yield* Effect.fail(new WalletDepleted({ walletId: own.id, status: own.status }))
  }
  const standIn = yield* store.wallets.mostFunded(own.id, environment)
  if (!standIn) return yield* Effect.fail(new NoFundedWallet({ reason: "every pool wallet is depleted or retired" }))
  yield* Effect.logInfo("call paid by a stand-in wallet", { key_id: keyId, wallet_id: own.id, status: own.status, stand_in_wallet_id: standIn.id })
  return { wallet: standIn, borrowed: true } satisfies CallWallet
})

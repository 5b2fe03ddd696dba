// Which wallet pays one call. A key keeps its assigned wallet; when that
// wallet can no longer pay, a call to an ordinary agent borrows another
// wallet for this call only. A call to a storage agent always pays from the
// wallet that holds the key's data (storage agents key data by the paying
// wallet): the one recorded on its first storage call, which rotation leaves
// in place even after it retires the wallet for every other call. When that
// wallet cannot pay, the storage call fails rather than show the key someone
// else's (empty) view.
import { Effect } from "effect"
import { Store } from "../../store/store"
import type { WalletEnvironment, WalletRow } from "../../store/wallets/repo"
import { KeyNotFound } from "../keys/errors"
import { NoFundedWallet, WalletDepleted, WalletNotFound } from "./errors"
import { assignWallet } from "./service"
import { AppConfig } from "../../platform/config/service"
import { payingStatus, thresholdsOf } from "./balances"

export type CallWallet = {
  readonly wallet: WalletRow
  /** True when the key's own wallet could not pay and this one stands in for this call only. */
  readonly borrowed: boolean
  /** True when this call changed the key's row (its first wallet, or its storage wallet): a cached identity is stale. */
  readonly keyChanged: boolean
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
  key: { readonly keyId: string; readonly walletId: string | null; readonly storageWalletId: string | null; readonly environment: WalletEnvironment },
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
  const config = yield* AppConfig
  const { keyId, walletId, environment } = key
  const read = (id: string) => {
    const known = options.paying?.find((w) => w.id === id)
    return known ? Effect.succeed(known) : store.wallets.findById(id)
  }
  // The wallet holding the key's data pays, retired or not (it stays funded and unswept while it holds
  // data); one that cannot pay a call refuses it. A retired wallet keeps that status whatever its
  // balance, so its balance is judged here.
  const storageWallet = Effect.fnUntraced(function* (walletIdHolding: string, keyChanged: boolean) {
    const holder = yield* read(walletIdHolding)
    if (!holder || holder.environment !== environment) return yield* Effect.fail(new WalletNotFound({ walletId: walletIdHolding }))
    const status = payingStatus(holder, thresholdsOf(config))
    if (status === "depleted") {
      yield* Effect.logWarning("storage call refused: the wallet holding the key's data cannot pay", { key_id: keyId, wallet_id: holder.id, status: holder.status })
      return yield* Effect.fail(new WalletDepleted({ walletId: holder.id, status: holder.status === "retired" ? "retired" : "depleted" }))
    }
    return { wallet: holder, borrowed: false, keyChanged } satisfies CallWallet
  })
  // Known already: the key's own wallet does not matter to this call.
  if (options.storage && key.storageWalletId !== null) return yield* storageWallet(key.storageWalletId, false)

  const assigned = walletId === null ? yield* assignWallet(keyId) : yield* read(walletId)
  if (!assigned) return yield* Effect.fail(new WalletNotFound({ walletId: walletId ?? "" }))
  // A test key assigned a live wallet before test keys had a pool of their own moves to one.
  const own = assigned.environment === environment ? assigned : yield* assignWallet(keyId)
  const keyChanged = own.id !== walletId
  if (options.storage) {
    // The first storage call records the key's wallet, as its row has it, as the one holding its data.
    const recorded = yield* store.keys.claimStorageWallet(keyId)
    if (recorded === undefined) return yield* Effect.fail(new KeyNotFound({ keyId }))
    return yield* storageWallet(recorded, true)
  }
  if (!cannotPay(own)) return { wallet: own, borrowed: false, keyChanged } satisfies CallWallet
  const standIn = yield* store.wallets.mostFunded(own.id, environment)
  if (!standIn) return yield* Effect.fail(new NoFundedWallet({ reason: "every pool wallet is depleted or retired" }))
  yield* Effect.logInfo("call paid by a stand-in wallet", { key_id: keyId, wallet_id: own.id, status: own.status, stand_in_wallet_id: standIn.id })
  return { wallet: standIn, borrowed: true, keyChanged } satisfies CallWallet
})

// The problem documents of this module's errors. Wallets, their secrets and the signing policy.
// The map is keyed by every tag of the union, so an error without one does not compile.
import { problem, type ProblemMap } from "../../platform/http/problem"
import type { FundingNeedsTreasuryKey, NoFundedWallet, RotationInProgress, SweepInProgress, TransactionRejected, TreasuryNotConfigured, UnsealError, WalletDepleted, WalletNotFound } from "./errors"

/** Every failure of this module that can reach a response. */
export type PoolFailure = UnsealError | WalletNotFound | NoFundedWallet | WalletDepleted | TransactionRejected | TreasuryNotConfigured | FundingNeedsTreasuryKey | RotationInProgress | SweepInProgress

// A wallet that cannot be opened is an operator problem (missing or wrong
// master key, damaged row): the caller gets a 503 without internals; the log
// has the tag, wallet id and key id.
const walletUnavailable = {
  status: 503,
  code: "wallet_unavailable",
  title: "Wallet unavailable",
  detail: () => "The wallet assigned to this key cannot sign right now. The operator has been notified.",
} as const

export const poolProblems: ProblemMap<PoolFailure> = {
  EnvelopeInvalid: walletUnavailable,
  MasterKeyUnknown: walletUnavailable,
  DecryptFailed: walletUnavailable,
  WalletNotFound: walletUnavailable,
  NoFundedWallet: problem(503, "no_funded_wallet", "No funded wallet", () => "No pool wallet can pay for this call right now. Retry later.", { headers: () => ({ "retry-after": "60" }) }),
  // The wallet id is kept out of the answer (it says nothing to the developer); the log has it.
  WalletDepleted: {
    status: 503,
    code: "wallet_depleted",
    title: "Wallet depleted",
    detail: () =>
      "The pool wallet that holds this key's storage data has run out of funds. Storage agents keep data per key and wallet, so the call cannot be paid from another wallet without losing this key's view of its data; an operator must refill the wallet. Retry later.",
    headers: () => ({ "retry-after": "300" }),
  },
  TreasuryNotConfigured: problem(409, "treasury_not_configured", "No treasury configured", () => "Sweeping sends a retired wallet's USDC and SOL to POOL_TREASURY_ADDRESS, which is not set. Set it and restart, then sweep again."),
  FundingNeedsTreasuryKey: problem(409, "funding_needs_treasury_key", "Rotation needs the treasury key", (e) =>
    `New wallets on ${e.network} are funded from the treasury, whose key the server never holds. Run \`tdk pool rotate --from-keypair <file>\` on a machine with the key, or ask for a dry run here.`),
  RotationInProgress: problem(409, "rotation_in_progress", "Rotation in progress", () => "Another wallet rotation or a refill is running. Wait for it to finish, then look at the pool before rotating again."),
  SweepInProgress: problem(409, "sweep_in_progress", "Sweep in progress", () => "Another sweep of the retired wallets is running. Wait for it to finish, then sweep again: it reads the balances afresh."),
  TransactionRejected: problem(502, "transaction_rejected", "Marketplace transaction rejected", (e) => `The marketplace asked the gateway to sign a transaction that breaks its signing policy (${e.code}); nothing was signed or paid.`, { extra: (e) => ({ policy_code: e.code }) }),
}

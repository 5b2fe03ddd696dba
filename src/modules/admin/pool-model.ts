// Schemas of the operator's pool routes. Never a secret: a wallet is shown by
// its id and public key only.
import { t } from "elysia"
import type { WalletRow } from "../../store/wallets/repo"
import { environmentSchema } from "../../platform/environments"
import { SWEEP_OUTCOMES } from "../pool/sweep"

const Status = t.Union([t.Literal("active"), t.Literal("low_balance"), t.Literal("depleted"), t.Literal("retired")], { description: "active; low_balance (pays, needs a refill); depleted (no longer pays); retired" })
const isoOrNull = (description: string) => t.Union([t.String(), t.Null()], { description })

export const PoolWallet = t.Object({
  id: t.String({ description: "Wallet id" }),
  public_key: t.String({ description: "Solana public key (base58): where to send refills" }),
  status: Status,
  environment: environmentSchema("live pays on TETTO_NETWORK; test is the built-in sandbox's pool that pays for test keys (sandbox money, never refilled by hand)"),
  usdc_balance: t.Integer({ description: "USDC at the last successful check, micro-USD (base units)" }),
  lamports: t.Integer({ description: "SOL at the last successful check, lamports" }),
  assigned_keys: t.Integer({ description: "API keys assigned to this wallet" }),
  last_balance_check_at: isoOrNull("ISO time of the last successful balance read; null when never read"),
  last_balance_error: t.Union([t.String(), t.Null()], { description: "Why the latest read failed; null after a successful read" }),
  created_at: t.String({ description: "ISO time" }),
  retired_at: isoOrNull("ISO time rotation retired the wallet; null while it pays"),
  replaced_by: t.Union([t.String(), t.Null()], { description: "The wallet its keys moved to when it was retired" }),
  storage_keys: t.Integer({ description: "Keys whose storage data is on this wallet: their storage calls pay from it, retired or not" }),
  swept_at: isoOrNull("ISO time a sweep found the retired wallet empty; null until then"),
})

export const poolWalletJson = (w: WalletRow, storageKeys = 0) => ({
  id: w.id,
  public_key: w.publicKey,
  status: w.status,
  environment: w.environment,
  usdc_balance: w.usdcBalance,
  lamports: w.lamports,
  assigned_keys: w.assignedKeyCount,
  last_balance_check_at: w.lastBalanceCheckAt === null ? null : new Date(w.lastBalanceCheckAt).toISOString(),
  last_balance_error: w.lastBalanceError,
  created_at: new Date(w.createdAt).toISOString(),
  retired_at: w.retiredAt === null ? null : new Date(w.retiredAt).toISOString(),
  replaced_by: w.replacedBy,
  storage_keys: storageKeys,
  swept_at: w.sweptAt === null ? null : new Date(w.sweptAt).toISOString(),
})

export const StatusCounts = t.Object({
  active: t.Integer({ description: "Active wallets" }),
  low_balance: t.Integer({ description: "Wallets below the low-balance threshold" }),
  depleted: t.Integer({ description: "Wallets that no longer pay" }),
  retired: t.Integer({ description: "Retired wallets" }),
})

export const BalanceCheck = t.Object({
  started_at: t.String({ description: "ISO time the check started" }),
  wallets: t.Integer({ description: "Wallets in the pool" }),
  read: t.Integer({ description: "Wallets whose balances were read and stored" }),
  failed: t.Integer({ description: "Wallets whose read failed (error recorded, status unchanged)" }),
  changes: t.Array(
    t.Object({
      wallet_id: t.String({ description: "Wallet id" }),
      public_key: t.String({ description: "Wallet public key" }),
      from: Status,
      to: Status,
    }),
    { description: "Status changes made by this check" },
  ),
  by_status: StatusCounts,
})

export const RefillLine = t.Object({
  wallet_id: t.String({ description: "Wallet id" }),
  public_key: t.String({ description: "Where to send the refill" }),
  status: Status,
  usdc_balance: t.Integer({ description: "USDC at the last check, micro-USD" }),
  usdc_needed: t.Integer({ description: "USDC to send to reach the target, micro-USD (0 at or above it)" }),
  lamports: t.Integer({ description: "SOL at the last check, lamports" }),
  lamports_needed: t.Integer({ description: "SOL to send to reach the target, lamports (0 at or above it)" }),
  last_balance_check_at: isoOrNull("ISO time of the last successful read; null when never read (balances then show 0)"),
  last_balance_error: t.Union([t.String(), t.Null()], { description: "Why the latest read failed, if it did: the balances may be stale" }),
})

export const RefillReport = t.Object({
  target_usdc: t.Integer({ description: "POOL_REFILL_TARGET_USDC, micro-USD" }),
  target_lamports: t.Integer({ description: "POOL_REFILL_TARGET_LAMPORTS, lamports" }),
  wallets: t.Array(RefillLine, { description: "Every wallet but retired ones" }),
  total_usdc_needed: t.Integer({ description: "Sum of usdc_needed, micro-USD (exact)" }),
  total_lamports_needed: t.Integer({ description: "Sum of lamports_needed, lamports (exact)" }),
})

export const WalletRotation = t.Object({
  environment: environmentSchema("The pool rotated"),
  cutoff: t.String({ description: "ISO time: wallets created before it were rotated" }),
  dry_run: t.Boolean({ description: "True when nothing was changed" }),
  wallets: t.Array(
    t.Object({
      wallet_id: t.String({ description: "The old wallet" }),
      public_key: t.String({ description: "Its public key" }),
      created_at: t.String({ description: "ISO time it was created" }),
      keys: t.Integer({ description: "Keys paying from it before the run" }),
      replaced_by: t.Optional(t.String({ description: "The new wallet" })),
      replaced_by_public_key: t.Optional(t.String({ description: "The new wallet's public key" })),
      outcome: t.Union([t.Literal("planned"), t.Literal("retired"), t.Literal("not_funded"), t.Literal("already_retired")], {
        description: "planned (dry run); retired; not_funded (its replacement could not pay after funding: nothing moved); already_retired",
      }),
      moved_keys: t.Optional(t.Integer({ description: "Keys moved to the new wallet" })),
      storage_keys: t.Optional(t.Integer({ description: "Keys whose storage data stays on the old wallet (their storage calls keep paying from it)" })),
    }),
    { description: "One line per wallet older than the cutoff" },
  ),
  retired: t.Integer({ description: "Wallets retired by this run" }),
  moved_keys: t.Integer({ description: "Keys moved" }),
  storage_keys: t.Integer({ description: "Keys that keep storage data on a retired wallet" }),
})

export const SweepReport = t.Object({
  treasury: t.String({ description: "POOL_TREASURY_ADDRESS" }),
  dry_run: t.Boolean({ description: "True when nothing was sent" }),
  wallets: t.Array(
    t.Object({
      wallet_id: t.String({ description: "Retired wallet" }),
      public_key: t.String({ description: "Its public key" }),
      outcome: t.Union(
        SWEEP_OUTCOMES.map((o) => t.Literal(o)),
        { description: "planned (dry run); swept; empty (nothing left: marked swept); already_swept; held_for_storage (a key's data is on it: never swept); cooling_down (retired within the grace period: calls may still pay from it); needs_fee (too few lamports to pay the fee); unconfirmed (sent, not confirmed yet); failed" },
      ),
      usdc: t.Integer({ description: "USDC moved (or to move), micro-USD" }),
      lamports: t.Integer({ description: "SOL moved (or to move), lamports" }),
      signature: t.Optional(t.String({ description: "The sweep transaction" })),
      error: t.Optional(t.String({ description: "Why it was not swept" })),
    }),
    { description: "One line per retired live wallet" },
  ),
  swept: t.Integer({ description: "Wallets swept by this run" }),
  total_usdc: t.Integer({ description: "USDC sent to the treasury (or to send), micro-USD" }),
  total_lamports: t.Integer({ description: "SOL sent to the treasury (or to send), lamports" }),
  failed: t.Integer({ description: "Wallets that failed or are unconfirmed" }),
})

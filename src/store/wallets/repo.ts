// The wallet pool repository. Secrets arrive and leave sealed (SealedSecret):
// the repository never sees a plaintext key.
import { Effect } from "effect"
import type { StoreUnavailable } from "../../platform/db/errors"

/** A sealed wallet secret (pool/envelope.ts). The brand keeps a plaintext secret from being stored by mistake. */
export type SealedSecret = string & { readonly __sealed: unique symbol }

export type WalletStatus = "active" | "low_balance" | "depleted" | "retired"

export type WalletRow = {
  readonly id: string
  readonly publicKey: string
  readonly encryptedSecret: SealedSecret
  /** USDC base units (micro-USD). */
  readonly usdcBalance: number
  readonly lamports: number
  readonly lastBalanceCheckAt: number | null
  readonly lastBalanceError: string | null
  readonly assignedKeyCount: number
  readonly status: WalletStatus
  readonly createdAt: number
  readonly rotatedAt: number | null
  /** "live" pays on TETTO_NETWORK; "test" is the sandbox pool that pays for test keys. */
  readonly environment: WalletEnvironment
  /** When rotation retired the wallet, and the wallet its keys moved to. */
  readonly retiredAt: number | null
  readonly replacedBy: string | null
  /** When a sweep found the retired wallet empty, and the last sweep transaction sent from it. */
  readonly sweptAt: number | null
  readonly sweepSignature: string | null
}

export type WalletEnvironment = "live" | "test"

/** The pool a key's calls are paid from: its own environment's (anything not "test" is live). */
export const walletEnvironmentOf = (keyEnvironment: string): WalletEnvironment => (keyEnvironment === "test" ? "test" : "live")

/** Statuses that still pay for calls; `low_balance` only asks the operator to refill. */
export const payingStatuses = ["active", "low_balance"] as const

/** A successful balance read. `status` is ignored for retired wallets, which stay retired. */
export type BalanceReading = {
  readonly usdcBalance: number
  readonly lamports: number
  readonly status: Exclude<WalletStatus, "retired">
  readonly checkedAt: number
}

export type NewWallet = {
  readonly id: string
  readonly publicKey: string
  readonly encryptedSecret: SealedSecret
  readonly createdAt: number
  /** Default "live". */
  readonly environment?: WalletEnvironment
  /** Default "active"; rotation inserts "depleted" so no key is assigned to a wallet before it is funded. */
  readonly status?: Exclude<WalletStatus, "retired">
}

export type Assignment =
  | { readonly kind: "existing" | "assigned"; readonly wallet: WalletRow }
  | { readonly kind: "no_key" }
  | { readonly kind: "no_wallet" }

export type Retirement =
  | { readonly kind: "retired"; readonly movedKeys: number; readonly storageKeys: number }
  | { readonly kind: "not_retirable" }

/** What to do with one row during re-encryption: a new envelope, or leave it. */
export type Reseal = (row: Pick<WalletRow, "id" | "publicKey" | "encryptedSecret">) => SealedSecret | undefined

export type ResealBatch = {
  /** Rows read in this batch (0 means the table was exhausted). */
  readonly scanned: number
  readonly updated: number
  /** Id of the last row read; the next batch starts after it. */
  readonly lastId: string | undefined
}

export interface WalletsRepo {
  readonly insert: (wallets: ReadonlyArray<NewWallet>) => Effect.Effect<void, StoreUnavailable>
  readonly list: () => Effect.Effect<ReadonlyArray<WalletRow>, StoreUnavailable>
  readonly findById: (id: string) => Effect.Effect<WalletRow | undefined, StoreUnavailable>
  /** Up to `limit` rows after `after`, in id order. */
  readonly page: (limit: number, after: string | undefined) => Effect.Effect<ReadonlyArray<WalletRow>, StoreUnavailable>
  /** Stores a balance read: balances, check time, status (unless retired), and clears the last error. */
  readonly recordBalance: (id: string, reading: BalanceReading) => Effect.Effect<void, StoreUnavailable>
  /** Stores why a balance read failed; balances, status and the last good check time stay as they were. */
  readonly recordBalanceError: (id: string, error: string) => Effect.Effect<void, StoreUnavailable>
  /**
   * The paying wallet of `environment` (active first, then low_balance)
   * holding the most USDC, ties by id, other than `excludeId`: a stand-in for
   * one call.
   */
  readonly mostFunded: (excludeId: string, environment: WalletEnvironment) => Effect.Effect<WalletRow | undefined, StoreUnavailable>
  /** Replaces a row's envelope only if it still holds `expected` (compare-and-set). */
  readonly updateSecret: (id: string, expected: SealedSecret, next: SealedSecret, now: number) => Effect.Effect<boolean, StoreUnavailable>
  /**
   * Gives the key a wallet, once: the wallet it already has, or, atomically,
   * the paying wallet of the key's environment with the fewest keys (active
   * before low_balance, then ties by id), whose count it bumps. A wallet of
   * the other environment (a test key assigned before test keys had a pool
   * of their own) is given up for one of the key's.
   */
  readonly assign: (keyId: string) => Effect.Effect<Assignment, StoreUnavailable>
  /**
   * Reads up to `limit` rows after `afterId` (id order) and, in one
   * transaction, replaces each envelope `reseal` returns (compare-and-set on
   * the old envelope, so a concurrent writer is never overwritten).
   */
  readonly resealBatch: (afterId: string | undefined, limit: number, reseal: Reseal, now: number) => Effect.Effect<ResealBatch, StoreUnavailable>
  /**
   * Retires `oldId` for `newId`, in one transaction: keys paying from the
   * old wallet move to the new one (whose count grows by as many), and those
   * that hold storage data on it keep it as their storage wallet (recorded
   * now for keys whose data predates that record: settled calls to one of
   * `storageAgentIds`). Nothing happens to a wallet already retired.
   */
  readonly retire: (oldId: string, newId: string, now: number, storageAgentIds: ReadonlyArray<string>) => Effect.Effect<Retirement, StoreUnavailable>
  /** How many keys (revoked ones aside) keep their storage data on each of `ids` (wallets that hold none are left out). */
  readonly storageHolders: (ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, number>, StoreUnavailable>
  /** Records a sweep: the transaction sent (when one was), and when the wallet read empty (null until it does). */
  readonly recordSweep: (id: string, sweep: { readonly signature?: string; readonly sweptAt?: number }) => Effect.Effect<void, StoreUnavailable>
  /**
   * How many writes to wallets this process has made through this repository:
   * a copy of wallet rows read before the count moved may be stale (the
   * gateway's short-lived list of paying wallets is dropped when it moves).
   */
  readonly writes: () => number
}

type WriteMethod = "insert" | "recordBalance" | "recordBalanceError" | "updateSecret" | "assign" | "resealBatch" | "retire" | "recordSweep"
const writeMethods: ReadonlyArray<WriteMethod> = ["insert", "recordBalance", "recordBalanceError", "updateSecret", "assign", "resealBatch", "retire", "recordSweep"]

/** The repository with `writes` counting every write method's run (success or not: a failed write may have committed). */
export const countingWrites = (repo: Omit<WalletsRepo, "writes">): WalletsRepo => {
  let writes = 0
  const counted = Object.fromEntries(
    writeMethods.map((name) => [name, (...args: Array<never>) => Effect.ensuring((repo[name] as (...a: Array<never>) => Effect.Effect<unknown, unknown>)(...args), Effect.sync(() => void writes++))]),
  ) as Pick<WalletsRepo, WriteMethod>
  return { ...repo, ...counted, writes: () => writes }
}

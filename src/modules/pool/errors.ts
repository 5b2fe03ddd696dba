// Failures of the wallet pool. None of them carries key material: a message
// names the wallet, the master key id or the envelope field, never a byte of
// a secret.
import { Data } from "effect"

/** The stored envelope is not one this build can read (truncated, not JSON, wrong version or field sizes). */
export class EnvelopeInvalid extends Data.TaggedError("EnvelopeInvalid")<{ readonly walletId: string; readonly reason: string }> {}

/** The envelope was sealed under a master key id the keyring does not hold. */
export class MasterKeyUnknown extends Data.TaggedError("MasterKeyUnknown")<{ readonly walletId: string; readonly keyId: string }> {}

/** Authentication failed: wrong master key, tampered bytes, or an envelope moved to another row. */
export class DecryptFailed extends Data.TaggedError("DecryptFailed")<{ readonly walletId: string; readonly keyId: string }> {}

/** No wallet row with this id. */
export class WalletNotFound extends Data.TaggedError("WalletNotFound")<{ readonly walletId: string }> {}

/** No active wallet can take a key (the pool is empty or every wallet is retired). */
export class NoFundedWallet extends Data.TaggedError("NoFundedWallet")<{ readonly reason: string }> {}


/** The signing policy refused a transaction handed over by the marketplace. */
export class TransactionRejected extends Data.TaggedError("TransactionRejected")<{ readonly code: string; readonly reason: string }> {}

export type UnsealError = EnvelopeInvalid | MasterKeyUnknown | DecryptFailed

/**
 * The key's own wallet is depleted (or retired) and the call goes to a storage
 * agent: its data is keyed by that wallet, so another wallet would show the
 * key an empty namespace. Only a refill fixes it.
 */
export class WalletDepleted extends Data.TaggedError("WalletDepleted")<{ readonly walletId: string; readonly status: "depleted" | "retired" }> {}

/** A sweep was asked for, but POOL_TREASURY_ADDRESS is not set: there is nowhere to send a retired wallet's funds. */
export class TreasuryNotConfigured extends Data.TaggedError("TreasuryNotConfigured")<{}> {}

/** Rotation needs new wallets funded, and on a real network only a treasury key the server never holds can fund them. */
export class FundingNeedsTreasuryKey extends Data.TaggedError("FundingNeedsTreasuryKey")<{ readonly network: string }> {}

/** Another rotation or a refill is running (on any instance, or the CLI): this one would fund a second set of new wallets. */
export class RotationInProgress extends Data.TaggedError("RotationInProgress")<{}> {}

/** Another sweep is running (on any instance, or the CLI): this one would read the same balances and send them again. */
export class SweepInProgress extends Data.TaggedError("SweepInProgress")<{}> {}

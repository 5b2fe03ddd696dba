import { Data } from "effect"

/** The Solana RPC failed or did not answer in time; `reason` is scrubbed of the RPC URL. */
export class ChainUnavailable extends Data.TaggedError("ChainUnavailable")<{
  readonly operation: string
  readonly reason: string
}> {}

/** The node refused a transaction at preflight (bad signature, stale blockhash, a failing instruction): nothing landed. */
export class TransactionRefused extends Data.TaggedError("TransactionRefused")<{ readonly reason: string }> {}

import { Data } from "effect"

/** The Solana RPC failed or did not answer in time; `reason` is scrubbed of the RPC URL. */
export class ChainUnavailable extends Data.TaggedError("ChainUnavailable")<{
  readonly operation: string
  readonly reason: string
}> {}

import { Data } from "effect"

/**
 * The sandbox platform refused a request. It answers like the real platform:
 * `{ ok: false, error }` with `status`, never a problem document, because the
 * gateway's marketplace client must meet the same shapes as on mainnet.
 */
export class SandboxRefusal extends Data.TaggedError("SandboxRefusal")<{ readonly status: number; readonly error: string }> {}

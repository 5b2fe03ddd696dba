// What the built-in sandbox offers the rest of the product, as a service the
// sandbox module provides (sandbox/as-network.ts): production modules depend
// on this port, never on the sandbox itself, so the sandbox can be replaced
// or left out without touching them.
import { Context, type Effect } from "effect"
import type { NetworkAddresses } from "./addresses"

/** The sandbox's own agents: path aliases and the agents behind /v1/memory and /v1/answers. */
export type SandboxAgents = {
  readonly aliases: Readonly<Record<string, string>>
  readonly memoryAgentId: string
  readonly answersAgentId: string
}

export type BuiltInSandboxShape = {
  readonly agents: SandboxAgents
  readonly addresses: NetworkAddresses
  /** A fetch that serves the sandbox's marketplace and JSON-RPC in this process (no socket), and their URLs. */
  readonly inProcess: { readonly fetch: typeof fetch; readonly marketplaceUrl: string; readonly rpcUrl: string }
  /** The faucet's ceilings per request: base units of USDC, lamports. */
  readonly faucetCeiling: { readonly usdc: number; readonly lamports: number }
  /** Credits a wallet from the faucet (within the ceilings). */
  readonly fund: (wallet: string, amounts: { readonly usdc: number; readonly lamports: number }) => Effect.Effect<void>
}

export class BuiltInSandbox extends Context.Service<BuiltInSandbox, BuiltInSandboxShape>()("tdk/BuiltInSandbox") {}

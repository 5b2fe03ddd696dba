// The networks a call can run on. Live keys use TETTO_NETWORK through the
// configured marketplace and RPC URLs. Test keys always use the built-in
// sandbox: on the sandbox network that is the live network itself; on devnet
// and mainnet it is the sandbox served in process (BuiltInSandbox.inProcess),
// so a test key never reaches the real marketplace or chain.
import { Context, Effect, Layer } from "effect"
import type { Network } from "../../platform/config/config"
import { AppConfig } from "../../platform/config/service"
import { makeChain, type ChainShape } from "../chain/service"
import type { KeyEnvironment } from "../keys/key-format"
import { makeMarketplace, type MarketplaceShape } from "../marketplace/service"
import { addressesOf, type NetworkAddresses } from "./addresses"
import { agentDirectory, sandboxDirectory, type AgentDirectoryShape } from "./agents"
import { BuiltInSandbox } from "./built-in-sandbox"

export type NetworkShape = NetworkAddresses & {
  readonly name: Network
  readonly marketplace: MarketplaceShape
  readonly chain: ChainShape
  readonly directory: AgentDirectoryShape
}

export type NetworksShape = { readonly [E in KeyEnvironment]: NetworkShape }

export class Networks extends Context.Service<Networks, NetworksShape>()("tdk/Networks") {
  static readonly layer = Layer.effect(
    Networks,
    Effect.gen(function* () {
      const config = yield* AppConfig
      const sandbox = yield* BuiltInSandbox
      const clients = (urls: { readonly marketplace: string; readonly rpc: string; readonly fetch?: typeof fetch }) => ({
        marketplace: makeMarketplace({
          baseUrl: urls.marketplace,
          timeoutMs: config.marketplaceTimeoutMs,
          callTimeoutMs: config.marketplaceCallTimeoutMs,
          agentCacheTtlMs: config.marketplaceAgentCacheTtlMs,
          readAttempts: config.marketplaceReadAttempts,
          retryBaseMs: config.marketplaceRetryBaseMs,
          ...(urls.fetch ? { fetch: urls.fetch } : {}),
        }),
        chain: makeChain({ rpcUrl: urls.rpc, timeoutMs: config.solanaRpcTimeoutMs, ...(urls.fetch ? { fetch: urls.fetch } : {}) }),
      })
      const live: NetworkShape = {
        name: config.network,
        ...clients({ marketplace: config.tettoApiUrl, rpc: config.solanaRpcUrl }),
        directory: agentDirectory(config, config.network === "sandbox" ? sandbox.agents : undefined),
        ...addressesOf(config.network, config.usdcMint, sandbox.addresses),
      }
      if (config.network === "sandbox") return { live, test: live }
      const test: NetworkShape = {
        name: "sandbox",
        ...clients({ marketplace: sandbox.inProcess.marketplaceUrl, rpc: sandbox.inProcess.rpcUrl, fetch: sandbox.inProcess.fetch }),
        directory: sandboxDirectory(sandbox.agents),
        ...sandbox.addresses,
      }
      return { live, test }
    }),
  )
}

/** The network a key's calls run on. */
export const networkFor = (environment: KeyEnvironment) => Effect.map(Networks, (networks) => networks[environment])

// Addresses that depend on the network: the USDC mint and the protocol fee
// wallet. The sandbox has its own (BuiltInSandbox.addresses).
import type { Network } from "../../platform/config/config"
import { WRAPPED_SOL_MINT } from "../marketplace/protocol"
import { networkConstants } from "../../platform/solana/networks"

export type NetworkAddresses = { readonly usdcMint: string; readonly protocolFeeWallet: string }

/** USDC_MINT overrides the mint; the fee wallet is the protocol's. */
export const addressesOf = (network: Network, usdcMintOverride: string | undefined, sandbox: NetworkAddresses): NetworkAddresses => {
  const base = network === "sandbox" ? sandbox : networkConstants[network]
  return { usdcMint: usdcMintOverride ?? base.usdcMint, protocolFeeWallet: base.protocolFeeWallet }
}

export const mintOf = (addresses: NetworkAddresses, token: "USDC" | "SOL"): { readonly mint: string; readonly decimals: number } =>
  token === "SOL" ? { mint: WRAPPED_SOL_MINT, decimals: 9 } : { mint: addresses.usdcMint, decimals: 6 }

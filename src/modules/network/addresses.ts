// Addresses that depend on the network: the USDC mint and the protocol fee
// wallet. The sandbox has its own, fixed in src/modules/sandbox/identities.ts.
import type { Network } from "../../platform/config/config"
import { networkConstants, WRAPPED_SOL_MINT } from "../marketplace/protocol"
import { sandboxProtocolFeeWallet, sandboxUsdcMint } from "../sandbox/identities"

export type NetworkAddresses = { readonly usdcMint: string; readonly protocolFeeWallet: string }

/** USDC_MINT overrides the mint (a live network's only); the fee wallet is the protocol's. */
export const addressesOf = (network: Network, usdcMintOverride: string | undefined): NetworkAddresses =>
  network === "sandbox"
    ? { usdcMint: usdcMintOverride ?? sandboxUsdcMint.toBase58(), protocolFeeWallet: sandboxProtocolFeeWallet.toBase58() }
    : { usdcMint: usdcMintOverride ?? networkConstants[network].usdcMint, protocolFeeWallet: networkConstants[network].protocolFeeWallet }

export const mintOf = (addresses: NetworkAddresses, token: "USDC" | "SOL"): { readonly mint: string; readonly decimals: number } =>
  token === "SOL" ? { mint: WRAPPED_SOL_MINT, decimals: 9 } : { mint: addresses.usdcMint, decimals: 6 }

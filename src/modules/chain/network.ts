// Addresses that depend on the network: the USDC mint and the protocol fee
// wallet. The sandbox has its own, fixed in src/modules/sandbox/identities.ts.
import type { Config } from "../../platform/config/config"
import { networkConstants, WRAPPED_SOL_MINT } from "../marketplace/protocol"
import { sandboxProtocolFeeWallet, sandboxUsdcMint } from "../sandbox/identities"

// As text once: the call pipeline asks for both on every call.
const sandboxUsdcMintText = sandboxUsdcMint.toBase58()
const sandboxProtocolFeeWalletText = sandboxProtocolFeeWallet.toBase58()

export const usdcMintOf = (config: Config): string => config.usdcMint ?? (config.network === "sandbox" ? sandboxUsdcMintText : networkConstants[config.network].usdcMint)

export const protocolFeeWalletOf = (config: Config): string =>
  config.network === "sandbox" ? sandboxProtocolFeeWalletText : networkConstants[config.network].protocolFeeWallet

export const mintOf = (config: Config, token: "USDC" | "SOL"): { readonly mint: string; readonly decimals: number } =>
  token === "SOL" ? { mint: WRAPPED_SOL_MINT, decimals: 9 } : { mint: usdcMintOf(config), decimals: 6 }

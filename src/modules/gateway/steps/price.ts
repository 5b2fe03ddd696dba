// The agent's price in micro-USD and the developer's price with markup.
import type { TokenSymbol } from "../../marketplace/protocol"
import { lamportsToMicroUsd, priceWithMarkup, type Price } from "../money"

export type Quoted = Price & {
  readonly token: TokenSymbol
  /** The quote in the token's base units (USDC base units or lamports). */
  readonly priceBase: number
  /** micro-USD per SOL used for a SOL quote; null for USDC. */
  readonly solRateMicroUsd: number | null
}

/** A quote in base units of `token` → what it costs and what the developer pays. */
export const priceQuote = (token: TokenSymbol, priceBase: number, markupBps: number, solPriceMicroUsd: number): Quoted => {
  const agentPrice = token === "SOL" ? lamportsToMicroUsd(priceBase, solPriceMicroUsd) : priceBase
  return { ...priceWithMarkup(agentPrice, markupBps), token, priceBase, solRateMicroUsd: token === "SOL" ? solPriceMicroUsd : null }
}

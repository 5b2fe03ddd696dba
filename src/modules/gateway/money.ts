// Money rules. Every amount is an integer: micro-USD (1e-6 USD, exactly one
// USDC base unit) or lamports. Arithmetic that could exceed 2^53 runs in BigInt.

/** round-half-up(numerator / denominator) for non-negative integers. */
export const divRoundHalfUp = (numerator: bigint, denominator: bigint): bigint => (numerator * 2n + denominator) / (denominator * 2n)

/** The markup on an agent price, basis points, rounded half up (micro-USD). */
export const markupOf = (agentPriceMicroUsd: number, markupBps: number): number =>
  Number(divRoundHalfUp(BigInt(agentPriceMicroUsd) * BigInt(markupBps), 10_000n))

export type Price = {
  /** What the agent charges, micro-USD. */
  readonly agentPriceMicroUsd: number
  readonly markupMicroUsd: number
  /** What the developer pays: agent price + markup, micro-USD. */
  readonly developerPriceMicroUsd: number
}

export const priceWithMarkup = (agentPriceMicroUsd: number, markupBps: number): Price => {
  const markupMicroUsd = markupOf(agentPriceMicroUsd, markupBps)
  return { agentPriceMicroUsd, markupMicroUsd, developerPriceMicroUsd: agentPriceMicroUsd + markupMicroUsd }
}

/** Lamports → micro-USD at a rate in micro-USD per SOL (1e9 lamports), rounded half up. */
export const lamportsToMicroUsd = (lamports: number, microUsdPerSol: number): number =>
  Number(divRoundHalfUp(BigInt(lamports) * BigInt(microUsdPerSol), 1_000_000_000n))

/** micro-USD as a decimal USD string with no float on the way: 1500 → "0.0015". */
export const formatUsd = (microUsd: number): string => {
  const negative = microUsd < 0
  const abs = BigInt(Math.abs(microUsd))
  const whole = abs / 1_000_000n
  const frac = (abs % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "")
  return `${negative ? "-" : ""}${whole}${frac ? `.${frac}` : ""}`
}

import { describe, expect, test } from "bun:test"
import { divRoundHalfUp, formatUsd, lamportsToMicroUsd, markupOf, priceWithMarkup } from "../../src/modules/gateway/money"

describe("money", () => {
  test("the seed's prices with the default 50% markup", () => {
    expect(priceWithMarkup(1000, 5000)).toEqual({ agentPriceMicroUsd: 1000, markupMicroUsd: 500, developerPriceMicroUsd: 1500 })
    expect(priceWithMarkup(40_000, 5000).developerPriceMicroUsd).toBe(60_000)
    expect(priceWithMarkup(10_000, 5000).developerPriceMicroUsd).toBe(15_000)
  })

  test("markup rounds half up, to the micro-dollar", () => {
    expect(markupOf(1, 5000)).toBe(1) // 0.5 → 1
    expect(markupOf(3, 5000)).toBe(2) // 1.5 → 2
    expect(markupOf(1, 4999)).toBe(0) // 0.4999 → 0
    expect(markupOf(333, 1500)).toBe(50) // 49.95 → 50
    expect(markupOf(0, 5000)).toBe(0)
    expect(markupOf(1000, 0)).toBe(0)
  })

  test("no precision is lost on large amounts", () => {
    const big = 9_000_000_000_000 // $9M in micro-USD
    expect(priceWithMarkup(big, 5000).developerPriceMicroUsd).toBe(13_500_000_000_000)
    expect(divRoundHalfUp(10n ** 30n + 5n, 10n)).toBe(10n ** 29n + 1n)
  })

  test("SOL prices convert at the recorded rate, rounded half up", () => {
    expect(lamportsToMicroUsd(100_000, 150_000_000)).toBe(15_000) // 0.0001 SOL at $150
    expect(lamportsToMicroUsd(1, 150_000_000)).toBe(0) // 0.15 micro-USD → 0
    expect(lamportsToMicroUsd(5, 100_000_000)).toBe(1) // 0.5 → 1
  })

  test("formatting to a decimal string uses no floats", () => {
    expect(formatUsd(1500)).toBe("0.0015")
    expect(formatUsd(60_000)).toBe("0.06")
    expect(formatUsd(1_000_000)).toBe("1")
    expect(formatUsd(0)).toBe("0")
    expect(formatUsd(123_456_789)).toBe("123.456789")
    expect(formatUsd(-1)).toBe("-0.000001")
  })
})

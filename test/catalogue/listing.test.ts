// A catalogue entry prices one call as the gateway charges it: the agent's
// quote (a SOL quote at the configured rate) plus the markup, in micro-USD.
import { describe, expect, test } from "bun:test"
import { aliasesById, listingOf } from "../../src/modules/catalogue/listing"
import { agent } from "../marketplace/fake-marketplace"

const rules = { markupBps: 5000, solPriceMicroUsd: 150_000_000 }

describe("catalogue listing", () => {
  test("a USDC agent: its price, the markup and what the developer pays, exact in micro-USD and as decimal USD", () => {
    const l = listingOf(agent({ price_base: 10_000 }), ["echo", "alpha"], rules)
    expect(l.price).toEqual({ token: "USDC", price_base: 10_000, agent_micro_usd: 10_000, markup_micro_usd: 5_000, developer_micro_usd: 15_000, developer_usd: "0.015" })
    expect(l.aliases).toEqual(["alpha", "echo"])
    expect(l.description).toBe("")
    expect(l.input_schema).toBeNull()
    expect(l.examples).toEqual([])
  })

  test("a SOL agent is priced at the configured SOL rate, the markup rounded half up", () => {
    // 1,000,001 lamports at $150/SOL = 150,000.15 µUSD → 150,000; 50 % of it = 75,000.
    const l = listingOf(agent({ token: "SOL", price_base: 1_000_001, token_decimals: 9 }), [], rules)
    expect(l.price).toMatchObject({ token: "SOL", agent_micro_usd: 150_000, markup_micro_usd: 75_000, developer_micro_usd: 225_000, developer_usd: "0.225" })
    expect(listingOf(agent({ price_base: 3 }), [], { ...rules, markupBps: 5000 }).price.markup_micro_usd).toBe(2)
  })

  test("schemas and examples pass through; aliases are grouped by the id they name", () => {
    const l = listingOf(agent({ description: "Echoes", input_schema: { type: "object" }, output_schema: { type: "object" }, example_inputs: [{ text: "hi" }], is_beta: true }), [], rules)
    expect(l).toMatchObject({ description: "Echoes", input_schema: { type: "object" }, output_schema: { type: "object" }, examples: [{ text: "hi" }], beta: true })
    expect(aliasesById({ a: "1", b: "2", c: "1" })).toEqual(new Map([["1", ["a", "c"]], ["2", ["b"]]]))
  })
})

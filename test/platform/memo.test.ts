import { expect, test } from "bun:test"
import { boundedMemo } from "../../src/platform/memo"

test("an answer is computed once and then served from memory", () => {
  const memo = boundedMemo<number>(8)
  let computed = 0
  const square = (n: number) => memo.get(String(n), () => (computed++, n * n))
  expect([square(3), square(3), square(4), square(3)]).toEqual([9, 9, 16, 9])
  expect(computed).toBe(2)
})

test("a stream of distinct keys stays within the bound while a key in constant use is never recomputed", () => {
  const memo = boundedMemo<string>(100)
  let hotComputations = 0
  const hot = () => memo.get("hot", () => (hotComputations++, "H"))
  for (let i = 0; i < 10_000; i++) {
    memo.get(`cold-${i}`, () => `C${i}`)
    expect(hot()).toBe("H")
    expect(memo.size()).toBeLessThanOrEqual(100)
  }
  expect(hotComputations).toBe(1)
  // Old cold keys were dropped: asking again computes again.
  let recomputed = false
  memo.get("cold-0", () => ((recomputed = true), "again"))
  expect(recomputed).toBe(true)
})

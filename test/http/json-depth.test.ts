import { expect, test } from "bun:test"
import { nestsDeeperThan } from "../../src/platform/http/json-depth"

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth)

test("depth counts arrays and objects inside one another, up to the limit inclusive", () => {
  expect(nestsDeeperThan(nested(64), 64)).toBe(false)
  expect(nestsDeeperThan(nested(65), 64)).toBe(true)
  expect(nestsDeeperThan(`{"a":{"b":[{"c":1}]}}`, 4)).toBe(false)
  expect(nestsDeeperThan(`{"a":{"b":[{"c":1}]}}`, 3)).toBe(true)
  // Siblings do not add up: depth goes back down when a container closes.
  expect(nestsDeeperThan(`[${Array.from({ length: 1000 }, () => "[[1]]").join(",")}]`, 3)).toBe(false)
})

test("brackets inside strings, escaped quotes included, are not nesting", () => {
  expect(nestsDeeperThan(JSON.stringify({ text: "[".repeat(500) }), 2)).toBe(false)
  expect(nestsDeeperThan(JSON.stringify({ text: `say \\"[[[[" and {{{{` }), 1)).toBe(false)
  expect(nestsDeeperThan(JSON.stringify({ text: 'ends with a backslash \\' , more: [[[1]]] }), 3)).toBe(true)
})

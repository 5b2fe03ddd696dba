import { expect, test } from "bun:test"
import { isId, newId } from "../../src/platform/ids"

test("ids carry their prefix and sort by creation time", () => {
  const a = newId("key", 1_700_000_000_000)
  const b = newId("key", 1_700_000_000_001)
  expect(isId("key", a)).toBe(true)
  expect(isId("usr", a)).toBe(false)
  expect(a < b).toBe(true)
  expect(newId("req")).not.toBe(newId("req"))
})

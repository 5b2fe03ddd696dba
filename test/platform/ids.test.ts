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

test("ids made in the same millisecond (or with a clock that went back) still sort in creation order", () => {
  const ids = Array.from({ length: 200 }, () => newId("use", 1_700_000_000_000))
  expect([...ids].sort()).toEqual(ids)
  const later = newId("use", 1_600_000_000_000)
  expect(later > ids.at(-1)!).toBe(true)
})

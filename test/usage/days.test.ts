// The day range of GET /v1/usage/daily: a pure rule, checked before any query.
import { expect, test } from "bun:test"
import { InvalidInput } from "../../src/platform/http/errors"
import { parseDayRange } from "../../src/modules/usage/days"

const NOW = Date.UTC(2026, 2, 1, 0, 30) // 00:30 UTC on 1 March 2026

test("by default the 30 days up to today (UTC), across a month end", () => {
  expect(parseDayRange({}, NOW)).toEqual({ from: "2026-01-31", to: "2026-03-01" })
  expect(parseDayRange({ to: "2026-02-28" }, NOW)).toEqual({ from: "2026-01-30", to: "2026-02-28" })
  expect(parseDayRange({ from: "2026-02-27", to: "2026-02-27" }, NOW)).toEqual({ from: "2026-02-27", to: "2026-02-27" })
})

test("at most 366 days; from after to, impossible dates and other shapes are refused, naming the field", () => {
  expect(parseDayRange({ from: "2025-03-01", to: "2026-03-01" }, NOW)).toEqual({ from: "2025-03-01", to: "2026-03-01" })
  const refused = (params: { from?: string; to?: string }) => {
    const r = parseDayRange(params, NOW)
    return r instanceof InvalidInput ? r.errors.map((e) => e.field) : r
  }
  expect(refused({ from: "2025-02-28", to: "2026-03-01" })).toEqual(["from"])
  expect(refused({ from: "2026-03-02" })).toEqual(["to"])
  expect(refused({ from: "2026-02-29" })).toEqual(["from"])
  expect(refused({ to: "2026-13-01" })).toEqual(["to"])
  expect(refused({ from: "2026-3-1", to: "2026-03-01T00:00:00Z" })).toEqual(["from", "to"])
})

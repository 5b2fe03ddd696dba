import { describe, expect, test } from "bun:test"
import { bucketOf, bucketRange, isBatchSpan } from "../../src/modules/billing/meter-batches"
import { periodOf } from "../../src/platform/period"

const at = (iso: string) => Date.parse(iso)

describe("meter batch buckets", () => {
  test("a span must divide a day: a minute, an hour, a millisecond do; 7 s, 0 and fractions do not", () => {
    for (const span of [1, 1_000, 60_000, 3_600_000, 86_400_000]) expect(isBatchSpan(span)).toBe(true)
    for (const span of [0, -60_000, 7_000, 1.5, 172_800_000, Number.NaN]) expect(isBatchSpan(span)).toBe(false)
  })

  test("a call's bucket holds it: from included, to excluded, one span wide", () => {
    const t = at("2026-11-10T10:00:30Z")
    const range = bucketRange(bucketOf(t, 60_000), 60_000)
    expect(range).toEqual({ from: at("2026-11-10T10:00:00Z"), to: at("2026-11-10T10:01:00Z") })
    expect(bucketOf(at("2026-11-10T10:00:59.999Z"), 60_000)).toBe(bucketOf(t, 60_000))
    expect(bucketOf(at("2026-11-10T10:01:00Z"), 60_000)).toBe(bucketOf(t, 60_000) + 1)
  })

  test("no bucket of a valid span holds calls of two calendar months", () => {
    const last = at("2026-11-30T23:59:59.999Z")
    const first = at("2026-12-01T00:00:00Z")
    for (const span of [1, 60_000, 3_600_000, 86_400_000]) {
      expect(bucketOf(last, span)).not.toBe(bucketOf(first, span))
      const range = bucketRange(bucketOf(last, span), span)
      expect(periodOf(range.from)).toBe(periodOf(range.to - 1))
    }
  })
})

import { describe, expect, test } from "bun:test"
import { planBatches } from "../../src/modules/billing/meter-batches"

const at = (iso: string) => Date.parse(iso)

describe("planBatches", () => {
  test("rows within the span form one batch from the first call to the last", () => {
    const times = [at("2026-11-10T10:00:00Z"), at("2026-11-10T10:00:20Z"), at("2026-11-10T10:00:59Z")]
    expect(planBatches(times, 60_000)).toEqual([{ from: times[0]!, to: times[2]!, rows: 3 }])
  })

  test("a call further than the span from the batch's first starts a new batch", () => {
    const times = [at("2026-11-10T10:00:00Z"), at("2026-11-10T10:01:00.001Z"), at("2026-11-10T10:01:30Z")]
    expect(planBatches(times, 60_000)).toEqual([
      { from: times[0]!, to: times[0]!, rows: 1 },
      { from: times[1]!, to: times[2]!, rows: 2 },
    ])
  })

  test("a batch never spans two calendar months, however close the calls", () => {
    const times = [at("2026-11-30T23:59:59.999Z"), at("2026-12-01T00:00:00Z")]
    expect(planBatches(times, 60_000)).toEqual([
      { from: times[0]!, to: times[0]!, rows: 1 },
      { from: times[1]!, to: times[1]!, rows: 1 },
    ])
  })

  test("calls at the same millisecond stay in one batch; no rows, no batch", () => {
    const t = at("2026-11-10T10:00:00Z")
    expect(planBatches([t, t, t], 0)).toEqual([{ from: t, to: t, rows: 3 }])
    expect(planBatches([], 60_000)).toEqual([])
  })
})

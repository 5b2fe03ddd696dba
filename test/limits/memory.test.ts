// The in-memory table stays bounded without changing any decision it keeps.
import { describe, expect, test } from "bun:test"
import { memoryGcra } from "../../src/modules/limits/memory"

const T0 = Date.UTC(2026, 10, 15, 12, 0, 0)

describe("in-memory rate table", () => {
  test("idle keys are swept first when full, so busy keys keep their state", () => {
    const table = memoryGcra(3)
    for (let i = 0; i < 10; i++) table.check("busy", 10, T0)
    table.check("idle_1", 100, T0)
    table.check("idle_2", 100, T0)
    // 1 s later the 100/min keys are idle (0.6 s of debt each); "busy" is a minute ahead.
    table.check("new_1", 100, T0 + 1000)
    table.check("new_2", 100, T0 + 1000)
    expect(table.size()).toBeLessThanOrEqual(3)
    expect(table.check("busy", 10, T0 + 1000)).toMatchObject({ allowed: false })
  })

  test("with every key busy, the table still never grows past its bound", () => {
    const table = memoryGcra(100)
    for (let i = 0; i < 1000; i++) table.check(`key_${i}`, 1, T0)
    expect(table.size()).toBeLessThanOrEqual(100)
  })
})

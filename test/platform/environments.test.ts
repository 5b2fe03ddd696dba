// The environments a key, call or pool may be in, read from text.
import { describe, expect, test } from "bun:test"
import { parseEnvironment } from "../../src/platform/environments"

describe("environments", () => {
  test("live and test are named exactly; anything else names none", () => {
    expect(parseEnvironment("live")).toBe("live")
    expect(parseEnvironment("test")).toBe("test")
    for (const other of ["", "LIVE", "prod", " test", "live,test"]) expect(parseEnvironment(other)).toBeUndefined()
  })
})

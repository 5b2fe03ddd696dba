// Progress bars on long CLI work: drawn on a terminal only, ending their line
// when the work is done; the balance check reports each wallet it finishes.
import { describe, expect, test } from "bun:test"
import { progress, progressAsReported, progressLine } from "../../src/cli/progress"
import { checkBalances } from "../../src/modules/pool/balances"
import { makeGatewayApp } from "../support/gateway"

describe("progress bars", () => {
  test("a bar is drawn in place on a terminal and its line ends with the work; nothing is written elsewhere", () => {
    expect(progressLine("reading", 1, 4, 8)).toBe("reading [##      ] 1/4")
    const written: Array<string> = []
    const draw = progress("reading", 2, { isTTY: true, write: (s) => written.push(s) })
    draw(1)
    draw(2)
    expect(written).toEqual([`\r${progressLine("reading", 1, 2)}`, `\r${progressLine("reading", 2, 2)}\n`])
    const piped: Array<string> = []
    progress("reading", 2, { isTTY: false, write: (s) => piped.push(s) })(2)
    expect(piped).toEqual([])
  })

  test("a bar for work whose size comes with its reports: made on the first report, made again when the total changes", () => {
    const written: Array<string> = []
    const report = progressAsReported("sweeping", { isTTY: true, write: (s) => written.push(s) })
    report(1, 2)
    report(2, 2)
    report(1, 3)
    expect(written).toEqual([`\r${progressLine("sweeping", 1, 2)}`, `\r${progressLine("sweeping", 2, 2)}\n`, `\r${progressLine("sweeping", 1, 3)}`])
  })

  test("the balance check reports every wallet it finishes, up to the whole pool", async () => {
    const g = await makeGatewayApp("sqlite")
    try {
      await g.seedPool(3)
      const seen: Array<[number, number]> = []
      const report = await g.runtime.runPromise(checkBalances({ onProgress: (done, total) => seen.push([done, total]) }))
      expect(seen.map(([d]) => d)).toEqual(Array.from({ length: report.wallets }, (_, i) => i + 1))
      expect(seen.every(([, t]) => t === report.wallets)).toBe(true)
      expect(report.wallets).toBeGreaterThanOrEqual(3)
    } finally {
      await g.close()
    }
  })
})

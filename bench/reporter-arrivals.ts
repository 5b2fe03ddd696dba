// A worker thread for bench/reporter.ts: writes settled, billable, unreported
// usage rows at a steady rate on a connection of its own, as the settling
// calls of a busy gateway would, so their cost does not share the measured
// reporter's event loop. Posts { arrived } every tick and { done } at the end.
import { closeDatabase, openDatabase } from "../src/platform/db/database"
import { writeSettledRows, type BenchUser } from "./usage-rows"

declare const self: Worker

export type ArrivalsPlan = {
  readonly dialect: "sqlite" | "postgres"
  readonly url: string
  readonly users: ReadonlyArray<BenchUser>
  readonly perSecond: number
  readonly seconds: number
}

const TICK_MS = 20

self.onmessage = async (message: MessageEvent<ArrivalsPlan>) => {
  const plan = message.data
  const handle = plan.dialect === "sqlite" ? openDatabase({ dialect: "sqlite", path: plan.url }) : openDatabase({ dialect: "postgres", url: plan.url })
  const seq = { n: 0 }
  const started = performance.now()
  for (let tick = 0; tick * TICK_MS < plan.seconds * 1000; tick++) {
    const due = Math.round((plan.perSecond * (tick + 1) * TICK_MS) / 1000) - seq.n
    if (due > 0) await writeSettledRows(handle, plan.users, due, seq, Date.now(), TICK_MS)
    self.postMessage({ arrived: seq.n })
    const wait = started + (tick + 1) * TICK_MS - performance.now()
    if (wait > 0) await Bun.sleep(wait)
  }
  await closeDatabase(handle)
  self.postMessage({ arrived: seq.n, done: true, ms: performance.now() - started })
}

// Settled, billable, unreported usage rows written at a steady rate, as the
// settling calls of a busy gateway would, for bench/reporter.ts. On Postgres
// they come from a worker thread with a connection of its own (instances share
// the server); on SQLite an instance has one connection, which its settles and
// its reporter share, so there the rows are written on the reporter's own
// connection and event loop (writeArrivals), as the gateway's settles are.
import { closeDatabase, openDatabase, type DatabaseHandle } from "../src/platform/db/database"
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

/** Writes the plan's rows every tick; `arrived` after each tick; the time it took, ms. */
export const writeArrivals = async (handle: DatabaseHandle, plan: Omit<ArrivalsPlan, "dialect" | "url">, arrived: (n: number) => void): Promise<number> => {
  const seq = { n: 0 }
  const started = performance.now()
  for (let tick = 0; tick * TICK_MS < plan.seconds * 1000; tick++) {
    const due = Math.round((plan.perSecond * (tick + 1) * TICK_MS) / 1000) - seq.n
    if (due > 0) await writeSettledRows(handle, plan.users, due, seq, Date.now(), TICK_MS)
    arrived(seq.n)
    const wait = started + (tick + 1) * TICK_MS - performance.now()
    if (wait > 0) await Bun.sleep(wait)
  }
  return performance.now() - started
}

// As a worker: posts { arrived } every tick and { arrived, done, ms } at the end.
if (!Bun.isMainThread) {
  self.onmessage = async (message: MessageEvent<ArrivalsPlan>) => {
    const plan = message.data
    const handle = plan.dialect === "sqlite" ? openDatabase({ dialect: "sqlite", path: plan.url }) : openDatabase({ dialect: "postgres", url: plan.url })
    let last = 0
    const ms = await writeArrivals(handle, plan, (n) => {
      last = n
      self.postMessage({ arrived: n })
    })
    await closeDatabase(handle)
    self.postMessage({ arrived: last, done: true, ms })
  }
}

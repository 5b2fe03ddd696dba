// Who holds a SQLite job lease, written so that another process on the same
// machine can tell the holder has died. A SIGKILLed or crashed holder cannot
// delete its row, and waiting out the lease (a minute) would leave, say, a
// restarted server's sandbox pool unfunded meanwhile. The name carries the
// machine's boot id, the holder's PID namespace and its pid: a process that
// shares the first two sees the same pids, so "no such process" is final. Any
// doubt (another machine or container, no /proc, the pid alive or reused)
// reads as alive, and the lease lapses as before.
import { randomBytes } from "node:crypto"
import { readFileSync, readlinkSync } from "node:fs"

/** This process's place: boot id and PID namespace, or null where /proc does not tell them. */
const placeOf = (): string | null => {
  try {
    const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim()
    const pidNamespace = readlinkSync("/proc/self/ns/pid").replace(/[^0-9]/g, "")
    return boot && pidNamespace ? `${boot}.${pidNamespace}` : null
  } catch {
    return null
  }
}

const here = placeOf()

/** Whether this process can tell a dead holder on its machine (Linux with /proc); elsewhere leases only lapse. */
export const judgesDeadHolders = here !== null

/** A new holder name for this process: place, pid and a random part (one process may hold several leases). */
export const newHolder = (): string => `${here ?? "unknown"}:${process.pid}:${randomBytes(12).toString("base64url")}`

export type Liveness = (pid: number) => boolean

/** Signal 0 checks the pid without touching it: ESRCH is "no such process"; EPERM means it exists. */
export const pidAlive: Liveness = (pid) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ESRCH"
  }
}

/** Whether `holder` names a process in this process's place that no longer exists. */
export const holderIsGone = (holder: string, place: string | null = here, alive: Liveness = pidAlive): boolean => {
  const m = /^([^:]+):(\d+):[^:]+$/.exec(holder)
  if (!m || place === null || m[1] !== place) return false
  const pid = Number(m[2])
  return pid > 0 && pid !== process.pid && !alive(pid)
}

// `tdk serve` from source as a child process on a loopback port, for tests
// that must crash the real server (SIGKILL) and start it again on the same
// data. Output goes to a log file (a pipe nobody reads would block the child).
// Every process started here is tracked, so `stopAllServers` in afterAll
// leaves none running even when a test fails half way.
import { closeSync, existsSync, openSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { freePort } from "../../scripts/services"

const repoRoot = join(import.meta.dir, "../..")

const running = new Set<Bun.Subprocess>()

export type ServerProcess = {
  readonly baseUrl: string
  readonly port: number
  readonly pid: number
  /** Sends the signal and waits for the exit; the exit code (or signal number). */
  readonly kill: (signal: "SIGKILL" | "SIGTERM") => Promise<number>
  readonly exited: Promise<number>
}

const tail = (file: string, chars = 4000) => (existsSync(file) ? readFileSync(file, "utf8").slice(-chars) : "(no log)")

/**
 * Starts `bun src/main.ts serve` with exactly `env` (plus PATH, HOME, PORT and
 * HOST=127.0.0.1) and waits for /readyz to say ready. Throws with the log's
 * tail when the process exits or is not ready within `readyTimeoutMs`.
 */
export const startServer = async (env: Record<string, string>, logFile: string, readyTimeoutMs = 30_000): Promise<ServerProcess> => {
  const port = freePort()
  const fd = openSync(logFile, "a")
  const proc = Bun.spawn([process.execPath, "src/main.ts", "serve"], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdin: "ignore",
    stdout: fd,
    stderr: fd,
  })
  closeSync(fd)
  running.add(proc)
  const exited = proc.exited.finally(() => running.delete(proc))
  const baseUrl = `http://127.0.0.1:${port}`
  const kill = async (signal: "SIGKILL" | "SIGTERM") => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal)
    return exited
  }
  const deadline = Date.now() + readyTimeoutMs
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`server exited before ready (${proc.exitCode ?? proc.signalCode}):\n${tail(logFile)}`)
    const ready = await fetch(`${baseUrl}/readyz`).then(
      async (r) => r.status === 200 && ((await r.json()) as { status?: string }).status === "ready",
      () => false,
    )
    if (ready) break
    if (Date.now() > deadline) {
      await kill("SIGKILL")
      throw new Error(`server not ready within ${readyTimeoutMs} ms:\n${tail(logFile)}`)
    }
    await Bun.sleep(50)
  }
  return { baseUrl, port, pid: proc.pid, kill, exited }
}

/** Kills (SIGKILL) every server this process started that is still running, and waits for them. */
export const stopAllServers = async (): Promise<void> => {
  const procs = [...running]
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL")
  await Promise.all(procs.map((p) => p.exited))
}

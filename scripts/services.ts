// Throwaway Postgres and Redis servers on loopback for the test suite: temp
// directory, free port, torn down afterwards. Debian's packages provide the
// binaries; when running as root, Postgres runs as the `postgres` user (initdb
// refuses root).
import { existsSync, mkdtempSync, readdirSync, rmSync, chownSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { userInfo } from "node:os"

export type Running = { readonly url: string; readonly stop: () => Promise<void> }

// A Postgres started by pg_ctl is a daemon and outlives the process that
// started it: a test run or bench stopped with Ctrl-C or `kill` would leave it
// behind, busy with whatever it was doing. Every server started here is
// stopped on SIGINT and SIGTERM, then the process exits.
const live = new Set<() => Promise<void>>()
let signalsHandled = false
const tracked = (running: Running): Running => {
  if (!signalsHandled) {
    signalsHandled = true
    for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
      process.once(signal, () => void Promise.allSettled([...live].map((stop) => stop())).then(() => process.exit(code)))
    }
  }
  const stop = async () => {
    live.delete(stop)
    await running.stop()
  }
  live.add(stop)
  return { url: running.url, stop }
}

export const freePort = (): number => {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() })
  const port = server.port!
  server.stop(true)
  return port
}

/**
 * Installs a Debian package when its binary is missing and we may (root with
 * apt-get), so `bun run test` works on a fresh machine; otherwise says what to
 * install.
 */
export const ensurePackage = (pkg: string, present: () => boolean): void => {
  if (present()) return
  if (userInfo().uid !== 0 || !Bun.which("apt-get")) throw new Error(`${pkg} is not installed: apt-get install ${pkg}`)
  console.log(`installing ${pkg} from Debian's packages…`)
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" }
  Bun.spawnSync(["apt-get", "update", "-qq"], { env, stdout: "ignore", stderr: "inherit" })
  const r = Bun.spawnSync(["apt-get", "install", "-y", "-qq", "--no-install-recommends", pkg], { env, stdout: "ignore", stderr: "inherit" })
  if (r.exitCode !== 0 || !present()) throw new Error(`could not install ${pkg}`)
}

const hasInitdb = () => existsSync("/usr/lib/postgresql") && readdirSync("/usr/lib/postgresql").some((v) => existsSync(join("/usr/lib/postgresql", v, "bin", "initdb")))

const pgBinDir = (): string => {
  ensurePackage("postgresql", hasInitdb)
  const root = "/usr/lib/postgresql"
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a))
  if (versions.length === 0) throw new Error("no initdb under /usr/lib/postgresql")
  return join(root, versions[0]!, "bin")
}

const run = async (cmd: Array<string>, asUser?: string): Promise<void> => {
  const argv = asUser ? ["runuser", "-u", asUser, "--", ...cmd] : cmd
  const proc = Bun.spawn(argv, { stdout: "pipe", stderr: "pipe" })
  const code = await proc.exited
  if (code !== 0) throw new Error(`${cmd[0]} exited ${code}: ${await new Response(proc.stderr).text()}`)
}

export const startPostgres = async (): Promise<Running> => {
  const bin = pgBinDir()
  const asUser = userInfo().uid === 0 ? "postgres" : undefined
  const dir = mkdtempSync(join(tmpdir(), "tdk-pg-"))
  if (asUser) {
    const id = Bun.spawnSync(["id", "-u", asUser]).stdout.toString().trim()
    const gid = Bun.spawnSync(["id", "-g", asUser]).stdout.toString().trim()
    chownSync(dir, Number(id), Number(gid))
  }
  const data = join(dir, "data")
  const port = freePort()
  await run([join(bin, "initdb"), "-D", data, "-U", "tdk", "--auth=trust", "-E", "UTF8", "--no-sync"], asUser)
  await run(
    [
      join(bin, "pg_ctl"), "-D", data, "-l", join(dir, "log"), "-w", "-t", "60",
      "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`,
      "start",
    ],
    asUser,
  )
  return tracked({
    url: `postgres://tdk@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await run([join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "stop"], asUser).catch(() => undefined)
      rmSync(dir, { recursive: true, force: true })
    },
  })
}

export const startRedis = async (): Promise<Running> => {
  ensurePackage("redis-server", () => existsSync("/usr/bin/redis-server"))
  const which = "/usr/bin/redis-server"
  const port = freePort()
  const dir = mkdtempSync(join(tmpdir(), "tdk-redis-"))
  const proc = Bun.spawn([which, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdout: "ignore", stderr: "pipe" })
  const deadline = Date.now() + 10_000
  for (;;) {
    try {
      const c = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } })
      c.end()
      break
    } catch {
      if (Date.now() > deadline) throw new Error("redis-server did not start")
      await Bun.sleep(50)
    }
  }
  return tracked({
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      proc.kill()
      await proc.exited
      rmSync(dir, { recursive: true, force: true })
    },
  })
}

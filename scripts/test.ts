// The whole test suite in one command: type check, start throwaway Postgres
// and Redis on loopback (installing Debian's packages if missing), run `bun test` against them, build
// and exercise the single binary, stop the servers, exit with the result.
import { startPostgres, startRedis, type Running } from "./services"

const started: Array<Running> = []
const stopAll = async () => {
  for (const s of started.splice(0)) await s.stop()
}
// Ctrl-C or kill: services.ts stops the servers it started.

const step = async (name: string, cmd: Array<string>, env: Record<string, string> = {}): Promise<{ code: number; stderr: string }> => {
  console.log(`\n== ${name}: ${cmd.join(" ")}`)
  const proc = Bun.spawn(cmd, { stdout: "inherit", stderr: "pipe", env: { ...process.env, ...env } })
  let stderr = ""
  const decoder = new TextDecoder()
  const reader = proc.stderr.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    const text = decoder.decode(value)
    stderr += text
    process.stderr.write(text)
  }
  return { code: await proc.exited, stderr }
}

let exitCode = 0
try {
  const typecheck = await step("typecheck", ["bun", "x", "tsc", "--noEmit", "-p", "tsconfig.json"])
  if (typecheck.code !== 0) throw new Error("type check failed")

  const pg = await startPostgres()
  started.push(pg)
  const env: Record<string, string> = { TEST_POSTGRES_URL: pg.url, TDK_TEST_SERVICES: "1" }
  const redis = await startRedis()
  started.push(redis)
  env.TEST_REDIS_URL = redis.url

  const build = await step("build", ["bun", "scripts/build.ts"])
  if (build.code !== 0) throw new Error("build failed")

  const args = process.argv.slice(2)
  // Per-test time limit, ms: suites drive real servers on a shared 2-core machine.
  const tests = await step("bun test", ["bun", "test", "--timeout", "60000", ...args], env)
  const pass = Number(/^\s*(\d+) pass\s*$/m.exec(tests.stderr)?.[1] ?? 0)
  const fail = Number(/^\s*(\d+) fail\s*$/m.exec(tests.stderr)?.[1] ?? 0)
  console.log(`\n${pass} passed, ${fail} failed`)
  if (tests.code !== 0 || pass === 0) exitCode = 1
} catch (e) {
  console.error(`test run failed: ${(e as Error).message}`)
  exitCode = 1
} finally {
  await stopAll()
}
process.exit(exitCode)

import { newAdminToken } from "../../src/cli/admin-new-token"
import { describe, expect, test } from "bun:test"
import { ConfigInvalid, describeConfig, loadConfig } from "../../src/platform/config/config"

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env)
    return []
  } catch (e) {
    if (e instanceof ConfigInvalid) return e.problems
    throw e
  }
}

describe("config", () => {
  test("an empty environment gives the embedded defaults: SQLite under ./data, port 3000, sandbox", () => {
    const c = loadConfig({})
    expect(c.port).toBe(3000)
    expect(c.database).toEqual({ dialect: "sqlite", path: "./data/tdk.db" })
    expect(c.network).toBe("sandbox")
    expect(c.tettoApiUrl).toBe("http://127.0.0.1:3000/sandbox/tetto")
    expect(c.bodyLimitBytes).toBe(1024 * 1024)
    expect(c.markupBps).toBe(5000)
    expect(c.adminToken).toBeUndefined()
  })

  test("DATABASE_URL picks the dialect", () => {
    expect(loadConfig({ DATABASE_URL: "postgres://u:p@localhost:5432/tdk" }).database).toEqual({ dialect: "postgres", url: "postgres://u:p@localhost:5432/tdk" })
    expect(loadConfig({ DATABASE_URL: "sqlite:/var/lib/tdk/x.db" }).database).toEqual({ dialect: "sqlite", path: "/var/lib/tdk/x.db" })
    expect(loadConfig({ DATABASE_URL: "sqlite::memory:" }).database).toEqual({ dialect: "sqlite", path: ":memory:" })
  })

  test("devnet and mainnet default to their public endpoints", () => {
    expect(loadConfig({ TETTO_NETWORK: "mainnet" }).tettoApiUrl).toBe("https://tetto.io")
    expect(loadConfig({ TETTO_NETWORK: "devnet" }).solanaRpcUrl).toBe("https://api.devnet.solana.com")
    expect(loadConfig({ TETTO_NETWORK: "devnet", TETTO_API_URL: "http://127.0.0.1:9/x/" }).tettoApiUrl).toBe("http://127.0.0.1:9/x")
  })

  test("each bad value is one line naming the variable and the expected form", () => {
    expect(problemsOf({ PORT: "abc" })).toEqual(['PORT: expected an integer from 1 to 65535, got "abc"'])
    expect(problemsOf({ PORT: "70000", TETTO_NETWORK: "testnet" })).toEqual([
      'PORT: expected an integer from 1 to 65535, got "70000"',
      'TETTO_NETWORK: expected one of sandbox, devnet, mainnet, got "testnet"',
    ])
    expect(problemsOf({ DATABASE_URL: "mysql://x" })[0]).toStartWith("DATABASE_URL: expected sqlite:<path>")
    expect(problemsOf({ MIGRATE_ON_START: "maybe" })).toEqual(['MIGRATE_ON_START: expected true or false, got "maybe"'])
  })

  test("a tier's rate limit must be one the limiter can enforce: 1 to 60,000,000 calls per minute", () => {
    expect(loadConfig({ TIERS_JSON: '{"free":{"ratePerMinute":1}}' }).tiers.free.ratePerMinute).toBe(1)
    for (const rate of [0, 60_000_001]) expect(problemsOf({ TIERS_JSON: `{"free":{"ratePerMinute":${rate}}}` })[0]).toStartWith("TIERS_JSON: expected JSON like")
    // Quotas may still be 0 (a tier that cannot call).
    expect(loadConfig({ TIERS_JSON: '{"free":{"monthlyQuota":0}}' }).tiers.free.monthlyQuota).toBe(0)
  })

  test("a bad URL is echoed without its credentials or query, and config check hides them for the database too", () => {
    const problems = problemsOf({ DATABASE_URL: "postgres:/admin:Sup3rS3cret@db/x", SOLANA_RPC_URL: "htps://rpc.example.com/?api-key=abcd-1234-secret" }).join("\n")
    expect(problems).toContain("DATABASE_URL")
    expect(problems).toContain("SOLANA_RPC_URL")
    for (const secret of ["Sup3rS3cret", "abcd-1234-secret"]) expect({ secret, leaked: problems.includes(secret) }).toEqual({ secret, leaked: false })
    const rows = describeConfig(loadConfig({ DATABASE_URL: "postgres://tdk:pw@db:5432/tdk?password=QQsecretQQ" }))
    const shown = rows.find((r) => r.env === "DATABASE_URL")!.value
    expect({ shown, leaked: shown.includes("QQsecretQQ") || shown.includes(":pw@") }).toEqual({ shown, leaked: false })
  })

  test("a bad secret is reported without echoing its value", () => {
    const [line] = problemsOf({ ADMIN_TOKEN: "short-secret" })
    expect(line).toBe("ADMIN_TOKEN: expected a random token of at least 32 characters with at least 12 different characters (`tdk admin new-token` makes one)")
    // Long but not random: refused too, and never echoed.
    for (const weak of ["a".repeat(40), "abcd".repeat(10), "admin-admin-admin-admin-admin-admin"]) {
      const [refused] = problemsOf({ ADMIN_TOKEN: weak })
      expect(refused).toStartWith("ADMIN_TOKEN: expected a random token")
      expect(refused).not.toContain(weak)
    }
    expect(problemsOf({ ADMIN_TOKEN: newAdminToken() })).toEqual([])
    expect(line).not.toContain("short-secret")
  })

  test("config check redacts secrets and database passwords", () => {
    const token = newAdminToken()
    const rows = describeConfig(loadConfig({ ADMIN_TOKEN: token, DATABASE_URL: "postgres://tdk:hunter2hunter2@db:5432/tdk" }))
    const text = JSON.stringify(rows)
    expect(text).not.toContain(token)
    expect(text).not.toContain("hunter2")
    expect(rows.find((r) => r.env === "ADMIN_TOKEN")?.value).toBe("(set, redacted)")
  })
})

test("config check hides credentials carried in RPC and API URLs", () => {
  const rows = describeConfig(loadConfig({ TETTO_NETWORK: "mainnet", SOLANA_RPC_URL: "https://user:pw-secret@rpc.example.com/?api-key=abc123secret" }))
  const rpc = rows.find((r) => r.env === "SOLANA_RPC_URL")!.value
  expect(rpc).not.toContain("pw-secret")
  expect(rpc).not.toContain("abc123secret")
  expect(rpc).toContain("rpc.example.com")
  expect(rows.find((r) => r.env === "TETTO_API_URL")!.value).toBe("https://tetto.io")
})

describe("reconciler settings", () => {
  test("a reconciler give-up age not above the call timeout is refused: a call still being submitted could be released", () => {
    expect(problemsOf({ RECONCILE_GIVE_UP_AFTER_MS: "30000" })).toEqual(["RECONCILE_GIVE_UP_AFTER_MS: must exceed MARKETPLACE_CALL_TIMEOUT_MS (30000 ms), or a call still being submitted could be released"])
    expect(problemsOf({ RECONCILE_GIVE_UP_AFTER_MS: "7000", MARKETPLACE_CALL_TIMEOUT_MS: "6000" })).toEqual([])
  })
})

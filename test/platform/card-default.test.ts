// REQUIRE_CARD_FOR_FREE follows the network and Stripe unless set, and
// `tdk config check` says which applies and why.
import { describe, expect, test } from "bun:test"
import { join } from "node:path"
import { describeConfig, loadConfig } from "../../src/platform/config/config"

const STRIPE = "sk_test_abcdefgh12345678"
const requireCard = (env: Record<string, string>) => loadConfig(env).requireCardForFree
const row = (env: Record<string, string>, withEnv = true) => describeConfig(loadConfig(env), withEnv ? env : undefined).find((r) => r.env === "REQUIRE_CARD_FOR_FREE")!.value

describe("REQUIRE_CARD_FOR_FREE", () => {
  test("on by default with Stripe on devnet and mainnet; off on the sandbox and without Stripe; a value set wins", () => {
    expect({
      mainnetStripe: requireCard({ TETTO_NETWORK: "mainnet", STRIPE_SECRET_KEY: STRIPE }),
      devnetStripe: requireCard({ TETTO_NETWORK: "devnet", STRIPE_SECRET_KEY: STRIPE }),
      sandboxStripe: requireCard({ TETTO_NETWORK: "sandbox", STRIPE_SECRET_KEY: STRIPE }),
      mainnetNoStripe: requireCard({ TETTO_NETWORK: "mainnet" }),
      defaults: requireCard({}),
    }).toEqual({ mainnetStripe: true, devnetStripe: true, sandboxStripe: false, mainnetNoStripe: false, defaults: false })
    expect(requireCard({ TETTO_NETWORK: "mainnet", STRIPE_SECRET_KEY: STRIPE, REQUIRE_CARD_FOR_FREE: "false" })).toBe(false)
    expect(requireCard({ TETTO_NETWORK: "sandbox", REQUIRE_CARD_FOR_FREE: "true" })).toBe(true)
  })

  test("config check says which applies and why", () => {
    expect(row({ TETTO_NETWORK: "mainnet", STRIPE_SECRET_KEY: STRIPE })).toBe("true (default: Stripe is configured on mainnet)")
    expect(row({ TETTO_NETWORK: "devnet", STRIPE_SECRET_KEY: STRIPE })).toBe("true (default: Stripe is configured on devnet)")
    expect(row({ STRIPE_SECRET_KEY: STRIPE })).toBe("false (default: off on the sandbox network)")
    expect(row({ TETTO_NETWORK: "devnet" })).toBe("false (default: off while STRIPE_SECRET_KEY is unset)")
    expect(row({ TETTO_NETWORK: "mainnet", STRIPE_SECRET_KEY: STRIPE, REQUIRE_CARD_FOR_FREE: "false" })).toBe("false (set by REQUIRE_CARD_FOR_FREE)")
    expect(row({ TETTO_NETWORK: "mainnet", STRIPE_SECRET_KEY: STRIPE, REQUIRE_CARD_FOR_FREE: "true" })).toBe("true (set by REQUIRE_CARD_FOR_FREE)")
    // Without the environment, a value other than the default can only have been set.
    expect(row({ TETTO_NETWORK: "sandbox", REQUIRE_CARD_FOR_FREE: "true" }, false)).toBe("true (set by REQUIRE_CARD_FOR_FREE)")
  })

  test("`tdk config check` prints it", () => {
    const p = Bun.spawnSync(["bun", join(import.meta.dir, "../../src/main.ts"), "config", "check"], {
      // Mainnet needs its master keys: config check refuses what serve refuses.
      env: { PATH: process.env.PATH ?? "", TETTO_NETWORK: "mainnet", STRIPE_SECRET_KEY: STRIPE, DATA_DIR: "/nonexistent-tdk-test", WALLET_ENCRYPTION_KEYS: `k1:${"ab".repeat(32)}` },
    })
    expect({ code: p.exitCode, err: p.stderr.toString() }).toEqual({ code: 0, err: "" })
    expect(p.stdout.toString()).toMatch(/^ {2}REQUIRE_CARD_FOR_FREE\s+true \(default: Stripe is configured on mainnet\)\s+default /m)
    expect(p.stdout.toString()).toMatch(/^ {2}TRUST_PROXY\s+0 \(X-Forwarded-For ignored; the socket's address is the client's\)\s+default /m)
    expect(p.stdout.toString()).toMatch(/^ {2}SIGNUP_MAX_PER_HOUR\s+10\s+default /m)
    expect(p.stdout.toString()).toMatch(/^ {2}STRIPE_SECRET_KEY\s+\(set, redacted\)\s+set /m)
  }, 30_000)
})

import { describe, expect, test } from "bun:test"
import { displayPrefix, generateApiKey, hashApiKey, parseApiKey } from "../../src/modules/keys/key-format"
import { effectiveLimits, defaultTiers } from "../../src/platform/tiers"

describe("API key format", () => {
  test("a generated key has the documented shape and parses back", () => {
    for (const env of ["live", "test"] as const) {
      const key = generateApiKey(env)
      expect(key).toMatch(new RegExp(`^tk_${env}_[1-9A-HJ-NP-Za-km-z]{38,50}$`))
      expect(parseApiKey(key)).toMatchObject({ environment: env })
    }
  })

  test("the same 32 bytes always give the same key; different bytes a different key", () => {
    const bytes = new Uint8Array(32).fill(7)
    expect(generateApiKey("live", bytes)).toBe(generateApiKey("live", bytes))
    expect(generateApiKey("live", bytes)).not.toBe(generateApiKey("live", new Uint8Array(32).fill(8)))
  })

  test("every single-character typo is caught by the checksum", () => {
    const key = generateApiKey("live")
    const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    let tried = 0
    for (let i = 8; i < key.length; i++) {
      const replacement = alphabet[(alphabet.indexOf(key[i]!) + 1) % alphabet.length]!
      const typo = key.slice(0, i) + replacement + key.slice(i + 1)
      expect({ i, parsed: parseApiKey(typo) }).toEqual({ i, parsed: undefined })
      tried++
    }
    expect(tried).toBeGreaterThan(40)
  })

  test("wrong prefix, environment, length or characters are not keys", () => {
    const key = generateApiKey("live")
    expect(parseApiKey(key.replace("tk_live_", "tk_prod_"))).toBeUndefined()
    expect(parseApiKey(key.replace("tk_live_", "tk_test_"))).toBeUndefined() // the checksum covers the prefix
    expect(parseApiKey(key.slice(0, -1))).toBeUndefined()
    expect(parseApiKey(key + "1")).toBeUndefined()
    expect(parseApiKey(key.slice(0, 12) + "0" + key.slice(13))).toBeUndefined()
    expect(parseApiKey("")).toBeUndefined()
    expect(parseApiKey("x".repeat(10_000))).toBeUndefined()
  })

  test("the stored hash is SHA-256 hex and the display prefix never holds the key", () => {
    const key = generateApiKey("test")
    expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/)
    expect(hashApiKey(key)).toBe(hashApiKey(key))
    const prefix = displayPrefix(key)
    expect(prefix).toBe(`${key.slice(0, 12)}…`)
    expect(prefix.length).toBeLessThan(16)
  })
})

describe("tier limits", () => {
  test("the seed's defaults", () => {
    expect(defaultTiers.free).toMatchObject({ ratePerMinute: 100, monthlyQuota: 5000, concurrency: 10 })
    expect(defaultTiers.paid).toMatchObject({ ratePerMinute: 1000, monthlyQuota: null })
    expect(defaultTiers.pro).toMatchObject({ ratePerMinute: 10_000, monthlyQuota: null })
  })

  test("per-key overrides win; unset overrides fall back to the tier", () => {
    const none = { rateLimitPerMinute: null, monthlyQuota: null, concurrencyLimit: null, monthlySpendCapMicroUsd: null }
    expect(effectiveLimits("free", none)).toEqual(defaultTiers.free)
    expect(effectiveLimits("free", { ...none, rateLimitPerMinute: 7, monthlySpendCapMicroUsd: 1_000_000 })).toEqual({ ...defaultTiers.free, ratePerMinute: 7, monthlySpendCapMicroUsd: 1_000_000 })
  })
})

import { describe, expect, test } from "bun:test"
import bs58 from "bs58"
import { redact, redactString } from "../../src/platform/logging/redact"

const b58 = (n: number) => bs58.encode(crypto.getRandomValues(new Uint8Array(n)))
const hex = (n: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(n))).toString("hex")
const b64 = (n: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(n))).toString("base64")

describe("log redaction", () => {
  const secrets: Record<string, string> = {
    "API key": `tk_live_${b58(32)}abcdef`,
    "test API key": `tk_test_${b58(32)}abcdef`,
    "Stripe secret key": `sk_live_${"51H".padEnd(40, "x")}`,
    "Stripe test key": "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    "webhook secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    "hex master key": hex(32),
    "base58 secret key": b58(64),
    "base64 key material": b64(32),
    "bearer token": "Bearer abc.def.ghi",
    "JSON secret key bytes": JSON.stringify(Array.from(crypto.getRandomValues(new Uint8Array(64)))),
  }

  for (const [name, secret] of Object.entries(secrets)) {
    test(`a ${name} inside free text does not pass`, () => {
      const out = redactString(`failed with ${secret} while signing`)
      const probe = name === "bearer token" ? "abc.def.ghi" : secret.slice(8)
      expect(out).not.toContain(probe)
      expect(out).toContain("[REDACTED]")
    })
  }

  test("credentials in a URL, its query and name=value secrets do not pass; the host stays readable", () => {
    const out = redactString("connect failed: postgres://tdk:PgPw-7@db:5432/tdk, redis://:RedisPw@cache:6379 and https://rpc.example.com/?api-key=abcd-1234 (password: hunter2, token=s3cr3t)")
    for (const secret of ["PgPw-7", "RedisPw", "abcd-1234", "hunter2", "s3cr3t"]) expect({ secret, leaked: out.includes(secret) }).toEqual({ secret, leaked: false })
    expect(out).toContain("@db:5432/tdk")
    expect(out).toContain("https://rpc.example.com/?[REDACTED]")
  })

  test("fields named like secrets are redacted whatever their value", () => {
    const out = redact({ password: "correct horse", nested: { apiKey: "x", Authorization: "y", walletSecret: "z" }, ok: "fine" }) as any
    expect(out.password).toBe("[REDACTED]")
    expect(out.nested).toEqual({ apiKey: "[REDACTED]", Authorization: "[REDACTED]", walletSecret: "[REDACTED]" })
    expect(out.ok).toBe("fine")
  })

  test("public keys under public field names stay readable; a secret under such a name does not", () => {
    const pub = b58(32)
    const secret = b58(64)
    expect((redact({ public_key: pub }) as any).public_key).toBe(pub)
    expect((redact({ public_key: secret }) as any).public_key).toBe("[REDACTED]")
  })

  test("ordinary values pass unchanged", () => {
    const v = { msg: "request", method: "POST", path: "/v1/agents/warmmemory", status: 200, request_id: "req_01J8ZQ3E80A3JPX7JY6ZJ4GQV9" }
    expect(redact(v)).toEqual(v)
  })

  test("paths keep our ids and UUIDs readable, and still lose a secret in any segment", () => {
    const keyId = "key_01J8ZQ3E80A3JPX7JY6ZJ4GQV9"
    const agent = "7c0e8a52-3f1d-4b7e-9a61-2d5c8e4f1a03"
    for (const path of [`/v1/keys/${keyId}/roll`, `/admin/keys/${keyId}/suspend`, `/v1/agents/${agent}`, `/sandbox/control/agents/${agent}`])
      expect((redact({ path }) as any).path).toBe(path)
    const apiKey = `tk_live_${b58(32)}`
    const leaked = (redact({ path: `/v1/keys/${keyId}/${apiKey}` }) as any).path as string
    expect(leaked).toStartWith(`/v1/keys/${keyId}/tk_live_`)
    expect(leaked).not.toContain(apiKey.slice(8))
    expect((redact({ path: `/x/${b58(64)}` }) as any).path).toBe("/x/[REDACTED]")
    // Only under the path field: the same text in free text is still redacted greedily.
    expect(redact({ msg: `/v1/keys/${keyId}/roll/${"a".repeat(30)}` })).toEqual({ msg: "[REDACTED]" })
  })

  test("byte arrays and errors are never printed raw", () => {
    expect(redact(new Uint8Array([1, 2, 3]))).toBe("[REDACTED]")
    const key = `tk_live_${b58(32)}`
    expect(JSON.stringify(redact(new Error(`bad key ${key}`)))).not.toContain(key.slice(8))
  })
})

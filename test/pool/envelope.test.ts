// AES-256-GCM envelopes: round trip, and every kind of damage is a tagged
// error (never a throw) whose message holds no key material.
import { describe, expect, test } from "bun:test"
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { envelopeKeyId, open, seal, walletAad, type MasterKey } from "../../src/modules/pool/envelope"
import { makeKeyring, MasterKeyConfigError, resolveMasterKeys } from "../../src/modules/pool/keyring"
import { masterKeyList, newMasterKeyLine } from "../../src/platform/config/master-keys"
import { ConfigInvalid, loadConfig } from "../../src/platform/config/config"

const k1: MasterKey = { id: "k1", key: new Uint8Array(32).fill(1) }
const k2: MasterKey = { id: "k2", key: new Uint8Array(32).fill(2) }
const keys = new Map([[k1.id, k1], [k2.id, k2]])
const secret = new Uint8Array(64).map((_, i) => i + 1)
const aad = walletAad("wal_A", "PubA")

const flip = (envelope: string, field: "n" | "c" | "t") => {
  const o = JSON.parse(envelope)
  const b = Buffer.from(o[field], "base64")
  b[0]! ^= 0x01
  o[field] = b.toString("base64")
  return JSON.stringify(o)
}

describe("envelope", () => {
  test("round trip; compact JSON naming the key; a fresh nonce each time", () => {
    const a = seal(k1, aad, secret)
    const b = seal(k1, aad, secret)
    expect(a).toMatch(/^\{"v":1,"kid":"k1","n":"[A-Za-z0-9+/=]{16}","c":"[A-Za-z0-9+/=]+","t":"[A-Za-z0-9+/=]{24}"\}$/)
    expect(JSON.parse(a).n).not.toBe(JSON.parse(b).n)
    expect(open(keys, "wal_A", aad, a)).toEqual(secret)
    expect(envelopeKeyId(a)).toBe("k1")
  })

  test("each kind of damage is its own tagged error, returned not thrown", () => {
    const env = seal(k1, aad, secret)
    const cases: ReadonlyArray<[string, string, Map<string, MasterKey>, Uint8Array]> = [
      ["wrong master key under the same id", env, new Map([["k1", { id: "k1", key: new Uint8Array(32).fill(9) }]]), aad],
      ["flipped nonce bit", flip(env, "n"), keys, aad],
      ["flipped ciphertext bit", flip(env, "c"), keys, aad],
      ["flipped tag bit", flip(env, "t"), keys, aad],
      ["envelope moved to another row (AAD swap)", env, keys, walletAad("wal_B", "PubB")],
    ]
    for (const [name, e, ks, a] of cases) expect({ name, r: open(ks, "wal_A", a, e) }).toMatchObject({ name, r: { _tag: "DecryptFailed", walletId: "wal_A", keyId: "k1" } })
    expect(open(new Map([["k2", k2]]), "wal_A", aad, env)).toMatchObject({ _tag: "MasterKeyUnknown", keyId: "k1" })
    expect(open(keys, "wal_A", aad, env.slice(0, env.length - 10))).toMatchObject({ _tag: "EnvelopeInvalid", reason: "not JSON" })
    expect(open(keys, "wal_A", aad, "hello")).toMatchObject({ _tag: "EnvelopeInvalid" })
    expect(open(keys, "wal_A", aad, JSON.stringify({ ...JSON.parse(env), v: 2 }))).toMatchObject({ _tag: "EnvelopeInvalid", reason: "unsupported version 2" })
    expect(open(keys, "wal_A", aad, JSON.stringify({ ...JSON.parse(env), t: "AAAA" }))).toMatchObject({ _tag: "EnvelopeInvalid", reason: "tag is 3 bytes, expected 16" })
    expect(open(keys, "wal_A", aad, "[]")).toMatchObject({ _tag: "EnvelopeInvalid" })
  })

  test("two rows' envelopes swapped between them both fail", () => {
    const ra = seal(k1, walletAad("wal_A", "PubA"), secret)
    const rb = seal(k1, walletAad("wal_B", "PubB"), secret)
    expect(open(keys, "wal_A", walletAad("wal_A", "PubA"), rb)).toMatchObject({ _tag: "DecryptFailed" })
    expect(open(keys, "wal_B", walletAad("wal_B", "PubB"), ra)).toMatchObject({ _tag: "DecryptFailed" })
  })

  test("error messages and fields hold no key or secret bytes", () => {
    const env = seal(k1, aad, secret)
    const errors = [open(new Map([["k1", { id: "k1", key: new Uint8Array(32).fill(9) }]]), "wal_A", aad, env), open(keys, "wal_A", aad, "x"), open(new Map(), "wal_A", aad, env)]
    const text = errors.map((e) => `${String(e)} ${JSON.stringify(e)}`).join("\n")
    for (const needle of [Buffer.from(k1.key).toString("hex"), Buffer.from(secret).toString("hex"), Buffer.from(secret).toString("base64"), JSON.parse(env).c]) expect(text).not.toContain(needle)
  })
})

describe("master keys from the environment", () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env)
      return []
    } catch (e) {
      return (e as ConfigInvalid).problems
    }
  }
  const hex = "ab".repeat(32)

  test("a keyring parses primary first; the single key gets the id 'default'", () => {
    const c = loadConfig({ WALLET_ENCRYPTION_KEYS: `new:${hex}, old:${"cd".repeat(32)}`, WALLET_ENCRYPTION_KEY: "ef".repeat(32) })
    expect(c.walletEncryptionKeys?.map((k) => k.id)).toEqual(["new", "old"])
    expect(makeKeyring(resolveMasterKeys(c).keys).keyIds).toEqual(["new", "old", "default"])
  })

  test("wrong length, bad hex and duplicate ids are one line naming the variable, never the value", () => {
    const bad = [`k1:${hex.slice(2)}`, `k1:${"zz".repeat(32)}`, `k1:${hex},k1:${"cd".repeat(32)}`, hex]
    for (const v of bad) {
      const [line, ...rest] = problems({ WALLET_ENCRYPTION_KEYS: v })
      expect({ v: v.slice(0, 6), line, rest }).toMatchObject({ line: expect.stringMatching(/^WALLET_ENCRYPTION_KEYS: expected /), rest: [] })
      expect(line).not.toContain(hex.slice(0, 16))
    }
    expect(problems({ WALLET_ENCRYPTION_KEY: "12" })).toEqual(["WALLET_ENCRYPTION_KEY: expected 64 hex characters (a 32-byte key)"])
    expect(masterKeyList(newMasterKeyLine("x"))).toMatchObject({ ok: true, value: [{ id: "x" }] })
  })

  test("devnet and mainnet refuse to start without a key and say how to make one", () => {
    for (const network of ["devnet", "mainnet"]) {
      expect(() => resolveMasterKeys(loadConfig({ TETTO_NETWORK: network }))).toThrow(MasterKeyConfigError)
      expect(() => resolveMasterKeys(loadConfig({ TETTO_NETWORK: network }))).toThrow(/WALLET_ENCRYPTION_KEYS: required .*tdk pool new-master-key/)
    }
  })

  test("the same id in both variables is refused", () => {
    expect(() => resolveMasterKeys(loadConfig({ WALLET_ENCRYPTION_KEYS: `default:${hex}`, WALLET_ENCRYPTION_KEY: hex }))).toThrow(/WALLET_ENCRYPTION_KEY: its id "default"/)
  })

  test("the sandbox generates a 0600 key file once and reuses it", () => {
    const dir = mkdtempSync(join(tmpdir(), "tdk-mk-"))
    try {
      const c = loadConfig({ DATA_DIR: dir })
      const first = resolveMasterKeys(c)
      expect(first.source).toBe("file-generated")
      expect(statSync(join(dir, "master.key")).mode & 0o777).toBe(0o600)
      expect(readFileSync(join(dir, "master.key"), "utf8")).toMatch(/^sandbox:[0-9a-f]{64}\n$/)
      const second = resolveMasterKeys(c)
      expect(second.source).toBe("file-loaded")
      expect(second.keys[0]!.key).toEqual(first.keys[0]!.key)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

import bs58 from "bs58"
import { expect, test } from "bun:test"
import { encodeBase58 } from "../../src/platform/solana/base58"

test("base58 output equals bs58's for every length 0–100, with and without leading zero bytes", () => {
  const mismatches: Array<string> = []
  for (let round = 0; round < 60; round++) {
    for (let length = 0; length <= 100; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length))
      // Some inputs start with zero bytes (each encodes as a leading "1"), some are all zero.
      const leading = round % 4 === 0 ? length : round % 3 === 0 ? Math.min(length, round % 7) : 0
      bytes.fill(0, 0, leading)
      if (encodeBase58(bytes) !== bs58.encode(bytes)) mismatches.push(Buffer.from(bytes).toString("hex"))
    }
  }
  expect(mismatches).toEqual([])
})

test("known values: a signature-sized input and chunk boundaries", () => {
  const max = new Uint8Array(64).fill(255)
  expect(encodeBase58(max)).toBe(bs58.encode(max))
  // 58^9 itself and its neighbours sit exactly on a chunk boundary.
  for (const n of [58n ** 9n - 1n, 58n ** 9n, 58n ** 9n + 1n, 58n ** 18n]) {
    const hex = n.toString(16)
    const bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex")
    expect(encodeBase58(bytes)).toBe(bs58.encode(bytes))
  }
  expect(encodeBase58(new Uint8Array([]))).toBe("")
  expect(encodeBase58(new Uint8Array([0, 0]))).toBe("11")
})

import { Keypair } from "@solana/web3.js"
import { expect, test } from "bun:test"
import { isAddressShaped } from "../../src/platform/solana/address"

test("address-shaped text: 32 to 44 base58 characters, nothing else", () => {
  for (let i = 0; i < 50; i++) expect(isAddressShaped(Keypair.generate().publicKey.toBase58())).toBe(true)
  expect(isAddressShaped("11111111111111111111111111111111")).toBe(true)
  for (const bad of ["", "1".repeat(31), "1".repeat(45), "x".repeat(100_000), "0OIl".repeat(10), `${"1".repeat(40)} `]) expect({ bad: bad.slice(0, 50), ok: isAddressShaped(bad) }).toEqual({ bad: bad.slice(0, 50), ok: false })
})

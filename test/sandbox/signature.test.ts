// The sandbox's signature check (node:crypto Ed25519): a payer's signature
// over the exact message verifies; another message, another signer, a
// truncated signature or a malleated one (S + L, which a chain refuses as
// non-canonical) do not.
import { describe, expect, test } from "bun:test"
import { Keypair } from "@solana/web3.js"
import { ed25519 } from "@noble/curves/ed25519.js"
import { verifySignature } from "../../src/modules/sandbox/transaction"

const L = 2n ** 252n + 27742317777372353535851937790883648493n

const leToBig = (b: Uint8Array) => b.reduceRight((n, byte) => (n << 8n) | BigInt(byte), 0n)
const bigToLe = (n: bigint, length: number) => Uint8Array.from({ length }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn))

describe("sandbox signature check", () => {
  test("verifies the signer's signature over the exact message, and nothing else", () => {
    const payer = Keypair.generate()
    const message = crypto.getRandomValues(new Uint8Array(200))
    const signature = ed25519.sign(message, payer.secretKey.subarray(0, 32))
    expect(verifySignature(signature, message, payer.publicKey)).toBe(true)
    const other = message.slice()
    other[7]! ^= 1
    expect(verifySignature(signature, other, payer.publicKey)).toBe(false)
    expect(verifySignature(signature, message, Keypair.generate().publicKey)).toBe(false)
    expect(verifySignature(signature.subarray(0, 63), message, payer.publicKey)).toBe(false)
    // The same signature with S + L: valid arithmetic, refused as non-canonical.
    const s = leToBig(signature.subarray(32))
    const malleated = new Uint8Array(64)
    malleated.set(signature.subarray(0, 32), 0)
    malleated.set(bigToLe(s + L, 32), 32)
    expect(s + L < 2n ** 256n).toBe(true)
    expect(verifySignature(malleated, message, payer.publicKey)).toBe(false)
  })
})

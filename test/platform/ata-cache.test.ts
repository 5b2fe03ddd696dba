import { expect, test } from "bun:test"
import { Keypair } from "@solana/web3.js"
import {
  ATA_CACHE_MAX,
  ataCacheSize,
  associatedTokenAddress,
  deriveAssociatedTokenAddress,
  TOKEN_2022_PROGRAM_ID,
  TOKEN_PROGRAM_ID,
} from "../../src/platform/solana/spl-ids"

test("a cached associated token address equals the uncached derivation, per mint, owner and token program", () => {
  const mints = [Keypair.generate().publicKey, Keypair.generate().publicKey]
  const owners = [Keypair.generate().publicKey, Keypair.generate().publicKey]
  for (let round = 0; round < 2; round++) {
    for (const mint of mints)
      for (const owner of owners)
        for (const program of [TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID]) {
          // Round 0 fills the cache, round 1 reads it: both must equal the derivation.
          expect({ round, address: associatedTokenAddress(mint, owner, program).toBase58() }).toEqual({ round, address: deriveAssociatedTokenAddress(mint, owner, program).toBase58() })
        }
  }
  // Swapping mint and owner is a different account, not a cache hit.
  const [a, b] = owners as [typeof owners[0], typeof owners[0]]
  expect(associatedTokenAddress(a, b).toBase58()).toBe(deriveAssociatedTokenAddress(a, b).toBase58())
  expect(associatedTokenAddress(a, b).toBase58()).not.toBe(associatedTokenAddress(b, a).toBase58())
})

test("the cache stays bounded and keeps the most recently used derivations", () => {
  const mint = Keypair.generate().publicKey
  const first = Keypair.generate().publicKey
  const firstAta = associatedTokenAddress(mint, first)
  for (let i = 0; i < ATA_CACHE_MAX + 20; i++) {
    associatedTokenAddress(mint, Keypair.generate().publicKey)
    // Kept warm: used on every iteration, so never the least recently used.
    expect(associatedTokenAddress(mint, first)).toBe(firstAta)
  }
  expect(ataCacheSize()).toBeLessThanOrEqual(ATA_CACHE_MAX)
  expect(ataCacheSize()).toBeGreaterThanOrEqual(ATA_CACHE_MAX / 2)
  expect(associatedTokenAddress(mint, first).toBase58()).toBe(deriveAssociatedTokenAddress(mint, first).toBase58())
})

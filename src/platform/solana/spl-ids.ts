// SPL program ids and associated-token-account derivation, written out
// instead of imported: `@solana/spl-token` pulls in bigint-buffer, which
// prints a warning to stderr whenever the compiled binary loads it. Tests
// compare these with spl-token itself, so a drift would fail.
import { PublicKey } from "@solana/web3.js"
import { boundedMemo } from "../memo"

export const TOKEN_PROGRAM_ID = new PublicKey("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
export const TOKEN_2022_PROGRAM_ID = new PublicKey("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb")
export const ASSOCIATED_TOKEN_PROGRAM_ID = new PublicKey("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")

/** The derivation itself, uncached (~140 µs: it hashes until it finds an off-curve point). */
export const deriveAssociatedTokenAddress = (mint: PublicKey, owner: PublicKey, tokenProgram: PublicKey = TOKEN_PROGRAM_ID): PublicKey =>
  PublicKey.findProgramAddressSync([owner.toBuffer(), tokenProgram.toBuffer(), mint.toBuffer()], ASSOCIATED_TOKEN_PROGRAM_ID)[0]

// The signing policy derives six addresses per call (payer and two
// recipients, under both token programs), nearly always the same ones. The
// mapping is a pure function, so a remembered answer is the answer.
export const ATA_CACHE_MAX = 1024
const byKeys = boundedMemo<PublicKey>(ATA_CACHE_MAX)
const byText = boundedMemo<string>(ATA_CACHE_MAX)

/** How many derivations are cached (for tests). */
export const ataCacheSize = (): number => byKeys.size()

/** The associated token account of `owner` for `mint` under `tokenProgram` (off-curve owners allowed). */
export const associatedTokenAddress = (mint: PublicKey, owner: PublicKey, tokenProgram: PublicKey = TOKEN_PROGRAM_ID): PublicKey =>
  byKeys.get(`${mint.toBuffer().toString("hex")}|${owner.toBuffer().toString("hex")}|${tokenProgram.toBuffer().toString("hex")}`, () =>
    deriveAssociatedTokenAddress(mint, owner, tokenProgram),
  )

/** The same over base58 text, for callers that hold addresses as text (the signing policy). */
export const associatedTokenAddressText = (mint: string, owner: string, tokenProgram: string): string =>
  byText.get(`${mint}|${owner}|${tokenProgram}`, () =>
    deriveAssociatedTokenAddress(new PublicKey(mint), new PublicKey(owner), new PublicKey(tokenProgram)).toBase58(),
  )

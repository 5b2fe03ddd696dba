// SPL program ids and associated-token-account derivation, written out
// instead of imported: `@solana/spl-token` pulls in bigint-buffer, which
// prints a warning to stderr whenever the compiled binary loads it. Tests
// compare these with spl-token itself, so a drift would fail.
import { PublicKey } from "@solana/web3.js"

export const TOKEN_PROGRAM_ID = new PublicKey("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
export const TOKEN_2022_PROGRAM_ID = new PublicKey("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb")
export const ASSOCIATED_TOKEN_PROGRAM_ID = new PublicKey("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")

/** The associated token account of `owner` for `mint` under `tokenProgram` (off-curve owners allowed). */
export const associatedTokenAddress = (mint: PublicKey, owner: PublicKey, tokenProgram: PublicKey = TOKEN_PROGRAM_ID): PublicKey =>
  PublicKey.findProgramAddressSync([owner.toBuffer(), tokenProgram.toBuffer(), mint.toBuffer()], ASSOCIATED_TOKEN_PROGRAM_ID)[0]

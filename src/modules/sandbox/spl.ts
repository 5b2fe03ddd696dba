// The few SPL Token facts the sandbox needs, written out instead of imported:
// `@solana/spl-token` pulls in bigint-buffer, which prints a warning to stderr
// on every start of the compiled binary. The tests decode and execute what
// this file produces with spl-token itself and LiteSVM, so a drift would fail.
import { PublicKey } from "@solana/web3.js"

import { ASSOCIATED_TOKEN_PROGRAM_ID, associatedTokenAddress as ataUnder, TOKEN_PROGRAM_ID } from "../../platform/solana/spl-ids"

export { ASSOCIATED_TOKEN_PROGRAM_ID, TOKEN_PROGRAM_ID }
export { transferCheckedInstruction } from "../../platform/solana/spl-instructions"
export const ACCOUNT_SIZE = 165
export const MINT_SIZE = 82

export const associatedTokenAddress = (mint: PublicKey, owner: PublicKey): PublicKey => ataUnder(mint, owner)

/** An initialized token account with no delegate, not native, no close authority (SPL `AccountLayout`). */
export const tokenAccountData = (mint: PublicKey, owner: PublicKey, amount: number): Uint8Array => {
  const data = Buffer.alloc(ACCOUNT_SIZE)
  mint.toBuffer().copy(data, 0)
  owner.toBuffer().copy(data, 32)
  data.writeBigUInt64LE(BigInt(amount), 64)
  // 72..108 delegate option + key: none
  data.writeUInt8(1, 108) // state: initialized
  return new Uint8Array(data)
}

/** An initialized mint with a mint authority and no freeze authority (SPL `MintLayout`). */
export const mintData = (mintAuthority: PublicKey, supply: number, decimals: number): Uint8Array => {
  const data = Buffer.alloc(MINT_SIZE)
  data.writeUInt32LE(1, 0)
  mintAuthority.toBuffer().copy(data, 4)
  data.writeBigUInt64LE(BigInt(supply), 36)
  data.writeUInt8(decimals, 44)
  data.writeUInt8(1, 45) // is_initialized
  return new Uint8Array(data)
}

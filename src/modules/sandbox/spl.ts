// The few SPL Token facts the sandbox needs, written out instead of imported:
// `@solana/spl-token` pulls in bigint-buffer, which prints a warning to stderr
// on every start of the compiled binary. The tests decode and execute what
// this file produces with spl-token itself and LiteSVM, so a drift would fail.
import { PublicKey, TransactionInstruction } from "@solana/web3.js"

import { ASSOCIATED_TOKEN_PROGRAM_ID, associatedTokenAddress as ataUnder, TOKEN_PROGRAM_ID } from "../../platform/solana/spl-ids"

export { ASSOCIATED_TOKEN_PROGRAM_ID, TOKEN_PROGRAM_ID }
export const ACCOUNT_SIZE = 165
export const MINT_SIZE = 82

export const associatedTokenAddress = (mint: PublicKey, owner: PublicKey): PublicKey => ataUnder(mint, owner)

/** SPL Token instruction 12: TransferChecked { amount: u64 LE, decimals: u8 }. */
export const transferCheckedInstruction = (source: PublicKey, mint: PublicKey, destination: PublicKey, owner: PublicKey, amount: number, decimals: number): TransactionInstruction => {
  const data = Buffer.alloc(10)
  data.writeUInt8(12, 0)
  data.writeBigUInt64LE(BigInt(amount), 1)
  data.writeUInt8(decimals, 9)
  return new TransactionInstruction({
    programId: TOKEN_PROGRAM_ID,
    keys: [
      { pubkey: source, isSigner: false, isWritable: true },
      { pubkey: mint, isSigner: false, isWritable: false },
      { pubkey: destination, isSigner: false, isWritable: true },
      { pubkey: owner, isSigner: true, isWritable: false },
    ],
    data,
  })
}

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

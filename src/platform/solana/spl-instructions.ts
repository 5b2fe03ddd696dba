// The two SPL Token instructions the product builds itself, written out
// instead of imported (see spl-ids.ts): TransferChecked for payments and
// sweeps, CloseAccount for a sweep's emptied token account. Tests decode
// them with spl-token and execute them on LiteSVM, so a drift would fail.
import { PublicKey, TransactionInstruction } from "@solana/web3.js"
import { TOKEN_PROGRAM_ID } from "./spl-ids"

/** SPL Token instruction tags. */
export const TOKEN_INSTRUCTION = { closeAccount: 9, transferChecked: 12 } as const

/** TransferChecked { amount: u64 LE, decimals: u8 }: source, mint, destination, owner (signer). */
export const transferCheckedInstruction = (source: PublicKey, mint: PublicKey, destination: PublicKey, owner: PublicKey, amount: number | bigint, decimals: number): TransactionInstruction => {
  const data = Buffer.alloc(10)
  data.writeUInt8(TOKEN_INSTRUCTION.transferChecked, 0)
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

/** CloseAccount: the (empty) token account's rent goes to `destination`; `owner` signs. */
export const closeAccountInstruction = (account: PublicKey, destination: PublicKey, owner: PublicKey): TransactionInstruction =>
  new TransactionInstruction({
    programId: TOKEN_PROGRAM_ID,
    keys: [
      { pubkey: account, isSigner: false, isWritable: true },
      { pubkey: destination, isSigner: false, isWritable: true },
      { pubkey: owner, isSigner: true, isWritable: false },
    ],
    data: Buffer.from([TOKEN_INSTRUCTION.closeAccount]),
  })

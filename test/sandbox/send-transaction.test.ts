// The sandbox ledger's sendTransaction, through a web3.js Connection as the
// gateway sends: it executes the transfers and the close a sweep is made of,
// and refuses what a real chain refuses (bad signature, stale blockhash, a
// replay, an overdraft, closing an account that still holds tokens, moving
// tokens the signer does not own, an instruction it cannot run) with the
// node's error, and nothing of a refused transaction sticks.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Connection, Keypair, PublicKey, SystemProgram, Transaction, type TransactionInstruction } from "@solana/web3.js"
import { createApproveInstruction } from "@solana/spl-token"
import { sandboxUsdcAta, sandboxUsdcMint } from "../../src/modules/sandbox/identities"
import { closeAccountInstruction, transferCheckedInstruction } from "../../src/platform/solana/spl-instructions"
import { dialects } from "../support/db"
import type { TestApp } from "../support/app"
import { fund, servedSandbox } from "./helpers"

for (const dialect of dialects) {
  describe(`sandbox sendTransaction (${dialect})`, () => {
    let h: TestApp
    let connection: Connection
    let close: () => Promise<void>
    beforeAll(async () => {
      ;({ h, connection, close } = await servedSandbox(dialect))
    })
    afterAll(() => close())

    const funded = async (usdc: number, sol: number) => {
      const k = Keypair.generate()
      await fund(h, k.publicKey.toBase58(), { usdc, sol })
      return k
    }
    const signed = async (payer: Keypair, ixs: ReadonlyArray<TransactionInstruction>, signers: ReadonlyArray<Keypair> = [payer]) => {
      const { blockhash } = await connection.getLatestBlockhash()
      const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: blockhash }).add(...ixs)
      tx.sign(...signers)
      return tx
    }
    const send = (tx: Transaction) => connection.sendRawTransaction(tx.serialize(), { preflightCommitment: "confirmed" })
    const refusal = async (tx: Transaction | Uint8Array) => {
      try {
        await connection.sendRawTransaction(tx instanceof Transaction ? tx.serialize() : tx)
      } catch (e) {
        return String((e as Error).message)
      }
      throw new Error("expected a refusal")
    }
    const usdc = async (owner: PublicKey) => Number((await connection.getTokenAccountBalance(sandboxUsdcAta(owner))).value.amount)
    const usdcTransfer = (from: PublicKey, to: PublicKey, amount: number, authority = from) => transferCheckedInstruction(sandboxUsdcAta(from), sandboxUsdcMint, sandboxUsdcAta(to), authority, amount, 6)

    test("executes SOL and USDC transfers and a close, charging the fee; its signature reads confirmed", async () => {
      const a = await funded(3_000_000, 10_000_000)
      const b = await funded(1, 1_000_000)
      const tx = await signed(a, [usdcTransfer(a.publicKey, b.publicKey, 3_000_000), closeAccountInstruction(sandboxUsdcAta(a.publicKey), b.publicKey, a.publicKey), SystemProgram.transfer({ fromPubkey: a.publicKey, toPubkey: b.publicKey, lamports: 10_000_000 - 5000 })])
      const signature = await send(tx)
      expect((await connection.getSignatureStatus(signature)).value).toMatchObject({ err: null, confirmationStatus: "finalized" })
      expect(await connection.getBalance(a.publicKey)).toBe(0)
      expect(await connection.getAccountInfo(sandboxUsdcAta(a.publicKey))).toBeNull()
      expect(await usdc(b.publicKey)).toBe(3_000_001)
      expect(await connection.getBalance(b.publicKey)).toBe(1_000_000 + 10_000_000 - 5000 + 2_039_280)
    })

    test("refuses what a real chain refuses, and nothing of it sticks", async () => {
      const a = await funded(1_000_000, 10_000_000)
      const b = await funded(1, 1_000_000)
      const stranger = await funded(1, 1_000_000)
      // A fee payer with too little for the fee.
      const poor = await funded(1, 4000)
      // Every account a refused transaction touches, as the ledger holds them now.
      const ledger = async () => Promise.all([a, b, stranger, poor].map(async (k) => ({ lamports: await connection.getBalance(k.publicKey), usdc: await usdc(k.publicKey) })))
      const before = await ledger()

      // A signature by another key.
      const forged = await signed(a, [SystemProgram.transfer({ fromPubkey: a.publicKey, toPubkey: b.publicKey, lamports: 1 })])
      const bytes = forged.serialize()
      bytes.set(Keypair.generate().secretKey.subarray(0, 64), 1)
      expect(await refusal(bytes)).toContain("signature verification failure")
      // A blockhash the ledger never gave.
      const stale = new Transaction({ feePayer: a.publicKey, recentBlockhash: Keypair.generate().publicKey.toBase58() }).add(SystemProgram.transfer({ fromPubkey: a.publicKey, toPubkey: b.publicKey, lamports: 1 }))
      stale.sign(a)
      expect(await refusal(stale)).toContain("Blockhash not found")
      // More SOL or USDC than held.
      expect(await refusal(await signed(a, [SystemProgram.transfer({ fromPubkey: a.publicKey, toPubkey: b.publicKey, lamports: 20_000_000 })]))).toContain("custom program error: 0x1")
      expect(await refusal(await signed(a, [usdcTransfer(a.publicKey, b.publicKey, 1_000_001)]))).toContain("custom program error: 0x1")
      // A close of an account that still holds tokens.
      expect(await refusal(await signed(a, [closeAccountInstruction(sandboxUsdcAta(a.publicKey), b.publicKey, a.publicKey)]))).toContain("custom program error: 0xb")
      // Tokens of an account the signer does not own.
      expect(await refusal(await signed(stranger, [usdcTransfer(a.publicKey, stranger.publicKey, 1, stranger.publicKey)], [stranger]))).toContain("custom program error: 0x4")
      // An instruction the ledger cannot run (a delegate approval).
      expect(await refusal(await signed(a, [createApproveInstruction(sandboxUsdcAta(a.publicKey), b.publicKey, a.publicKey, 1n)]))).toContain("InvalidInstructionData")
      // A close whose rent would go to the closed account itself.
      expect(await refusal(await signed(b, [usdcTransfer(b.publicKey, a.publicKey, 1), closeAccountInstruction(sandboxUsdcAta(b.publicKey), sandboxUsdcAta(b.publicKey), b.publicKey)]))).toContain("InvalidAccountData")
      // An amount no account can hold (beyond 2^53, up to u64's maximum) is short of funds, not a server error.
      expect(await refusal(await signed(a, [SystemProgram.transfer({ fromPubkey: a.publicKey, toPubkey: b.publicKey, lamports: 2n ** 64n - 1n })]))).toContain("custom program error: 0x1")
      expect(await refusal(await signed(a, [transferCheckedInstruction(sandboxUsdcAta(a.publicKey), sandboxUsdcMint, sandboxUsdcAta(b.publicKey), a.publicKey, 2n ** 63n, 6)]))).toContain("custom program error: 0x1")
      // Lamports moved into an account the message marks read-only.
      const readonlyTo = SystemProgram.transfer({ fromPubkey: a.publicKey, toPubkey: b.publicKey, lamports: 1 })
      readonlyTo.keys[1]!.isWritable = false
      expect(await refusal(await signed(a, [readonlyTo]))).toContain("read-only account")
      expect(await refusal(await signed(poor, [SystemProgram.transfer({ fromPubkey: poor.publicKey, toPubkey: b.publicKey, lamports: 1 })]))).toContain("Insufficient funds for fee")
      // A transfer whose first leg succeeds and second fails leaves the first undone too.
      expect(await refusal(await signed(a, [SystemProgram.transfer({ fromPubkey: a.publicKey, toPubkey: b.publicKey, lamports: 1000 }), usdcTransfer(a.publicKey, b.publicKey, 5_000_000)]))).toContain("Instruction 1")
      expect(await ledger()).toEqual(before)

      // A replay of a transaction that landed.
      const ok = await signed(a, [SystemProgram.transfer({ fromPubkey: a.publicKey, toPubkey: b.publicKey, lamports: 1000 })])
      await send(ok)
      expect(await refusal(ok)).toContain("already been processed")
      expect(await connection.getBalance(a.publicKey)).toBe(before[0]!.lamports - 1000 - 5000)
      expect(await connection.getBalance(b.publicKey)).toBe(before[1]!.lamports + 1000)
    })
  })
}

// The sweep transaction and the signing policy's treasury rule: what a sweep
// moves (pure), the policy approving exactly a sweep to the treasury and
// refusing any other destination, signer, program or instruction, and the
// transaction executed on LiteSVM (the real System and SPL Token programs):
// the wallet ends at zero, its token account closed, the treasury credited.
import { describe, expect, test } from "bun:test"
import { address, getTransactionDecoder, lamports, type Address } from "@solana/kit"
import { AccountLayout, createApproveInstruction, createCloseAccountInstruction, createTransferCheckedInstruction, getAssociatedTokenAddressSync, TOKEN_PROGRAM_ID } from "@solana/spl-token"
import { Keypair, PublicKey, SystemProgram, Transaction, type TransactionInstruction } from "@solana/web3.js"
import { FailedTransactionMetadata, LiteSVM } from "litesvm"
import { checkSweep } from "../../src/modules/pool/sweep-policy"
import { sweepAmounts, sweepDiffers, sweepTransaction } from "../../src/modules/pool/sweep"
import { mintBytes, tokenAccountView } from "../../src/modules/sandbox/accounts"
import { MINT_RENT_LAMPORTS, TOKEN_ACCOUNT_RENT_LAMPORTS } from "../../src/modules/sandbox/identities"
import { closeAccountInstruction } from "../../src/platform/solana/spl-instructions"
import { networkConstants } from "../../src/platform/solana/networks"

const mint = new PublicKey(networkConstants.mainnet.usdcMint)
const wallet = Keypair.generate()
const treasury = Keypair.generate()
const blockhash = "11111111111111111111111111111111"
const ata = (owner: PublicKey) => getAssociatedTokenAddressSync(mint, owner)

const wire = (tx: Transaction) => new Uint8Array(tx.serialize({ requireAllSignatures: false, verifySignatures: false }))
const verdict = (tx: Transaction, treasuryAddress = treasury.publicKey.toBase58()) =>
  checkSweep({ tx: wire(tx), payer: wallet.publicKey.toBase58(), treasury: treasuryAddress, mint: mint.toBase58(), decimals: 6 })
const txOf = (...ixs: Array<TransactionInstruction>) => new Transaction({ feePayer: wallet.publicKey, recentBlockhash: blockhash }).add(...ixs)

describe("sweep amounts", () => {
  test("everything but the network fee leaves; an empty wallet and one that cannot pay the fee send nothing", () => {
    expect(sweepAmounts({ lamports: 1_000_000, usdc: 42, hasTokenAccount: true })).toEqual({ usdc: 42, lamports: 995_000, close: true })
    expect(sweepAmounts({ lamports: 5000, usdc: 0, hasTokenAccount: false })).toEqual({ usdc: 0, lamports: 0, close: false })
    expect(sweepAmounts({ lamports: 0, usdc: 0, hasTokenAccount: false })).toBe("empty")
    expect(sweepAmounts({ lamports: 4999, usdc: 7, hasTokenAccount: true })).toBe("needs_fee")
  })
})

describe("the treasury rule", () => {
  test("approves the sweep it builds, and reports what it moves", () => {
    const v = verdict(sweepTransaction(wallet.publicKey.toBase58(), treasury.publicKey.toBase58(), mint.toBase58(), { usdc: 1_500_000, lamports: 90_000, close: true }, blockhash))
    if (!v.ok) throw new Error(v.reason)
    expect({ usdc: v.usdc, lamports: v.lamports, close: v.closesTokenAccount }).toEqual({ usdc: 1_500_000n, lamports: 90_000n, close: true })
  })

  test("the sweep signs only a transaction that moves exactly the amounts read: a unit more or less, or a close more or less, is named", () => {
    const read = { usdc: 1_500_000, lamports: 90_000, close: true }
    const v = verdict(sweepTransaction(wallet.publicKey.toBase58(), treasury.publicKey.toBase58(), mint.toBase58(), read, blockhash))
    if (!v.ok) throw new Error(v.reason)
    expect(sweepDiffers(v, read)).toBeUndefined()
    expect(sweepDiffers(v, { ...read, usdc: 1_499_999 })).toBe("the transaction moves 1500000 micro-USD, not the 1499999 read")
    expect(sweepDiffers(v, { ...read, lamports: 90_001 })).toBe("the transaction moves 90000 lamports, not the 90001 read")
    expect(sweepDiffers(v, { ...read, close: false })).toBe("the transaction closes a USDC account the wallet does not have")
    expect(sweepDiffers({ ...v, closesTokenAccount: false }, read)).toBe("the transaction leaves the USDC account open")
  })

  test("refuses anything that is not the wallet's own funds going to the treasury", () => {
    const other = Keypair.generate().publicKey
    const cases: Array<[string, Transaction, string]> = [
      ["SOL to another wallet", txOf(SystemProgram.transfer({ fromPubkey: wallet.publicKey, toPubkey: other, lamports: 1 })), "not_to_treasury"],
      ["USDC to another account", txOf(createTransferCheckedInstruction(ata(wallet.publicKey), mint, ata(other), wallet.publicKey, 1n, 6)), "not_to_treasury"],
      ["USDC to the treasury's wallet address instead of its token account", txOf(createTransferCheckedInstruction(ata(wallet.publicKey), mint, treasury.publicKey, wallet.publicKey, 1n, 6)), "not_to_treasury"],
      ["rent of the closed account to another wallet", txOf(closeAccountInstruction(ata(wallet.publicKey), other, wallet.publicKey)), "not_to_treasury"],
      ["an approval of a delegate", txOf(createApproveInstruction(ata(wallet.publicKey), other, wallet.publicKey, 1n)), "instruction_forbidden"],
      ["another mint", txOf(createTransferCheckedInstruction(getAssociatedTokenAddressSync(other, wallet.publicKey), other, getAssociatedTokenAddressSync(other, treasury.publicKey), wallet.publicKey, 1n, 6)), "instruction_forbidden"],
      ["a system instruction other than a transfer", txOf(SystemProgram.assign({ accountPubkey: wallet.publicKey, programId: other })), "instruction_forbidden"],
      ["a program of its own", txOf({ programId: other, keys: [], data: Buffer.alloc(0) } as unknown as TransactionInstruction), "program_not_allowed"],
      [
        "a second signer",
        txOf(SystemProgram.transfer({ fromPubkey: other, toPubkey: treasury.publicKey, lamports: 1 })),
        "unexpected_signer",
      ],
      ["another fee payer", new Transaction({ feePayer: other, recentBlockhash: blockhash }).add(SystemProgram.transfer({ fromPubkey: wallet.publicKey, toPubkey: treasury.publicKey, lamports: 1 })), "fee_payer_mismatch"],
    ]
    for (const [what, tx, code] of cases) {
      const v = verdict(tx)
      expect({ what, code: v.ok ? "approved" : v.code }).toEqual({ what, code })
    }
    // The treasury is the configured one, not whatever the transaction names.
    const toOther = verdict(sweepTransaction(wallet.publicKey.toBase58(), other.toBase58(), mint.toBase58(), { usdc: 1, lamports: 1, close: true }, blockhash))
    expect(toOther.ok ? "approved" : toOther.code).toBe("not_to_treasury")
  })
})

describe("the sweep on LiteSVM", () => {
  const addr = (k: PublicKey): Address => address(k.toBase58())
  const setTokenAccount = (svm: LiteSVM, owner: PublicKey, amount: number) => {
    const view = tokenAccountView({ address: ata(owner).toBase58(), owner: owner.toBase58(), mint: mint.toBase58(), amount })
    svm.setAccount({ address: addr(ata(owner)), data: view.bytes, executable: false, lamports: lamports(BigInt(view.lamports)), programAddress: addr(TOKEN_PROGRAM_ID), space: BigInt(view.bytes.length) })
  }

  test("leaves the wallet at zero lamports with no token account, and credits the treasury with its USDC, its SOL less the fee and the account's rent", () => {
    const svm = new LiteSVM()
    svm.setAccount({ address: addr(mint), data: mintBytes(1_000_000_000), executable: false, lamports: lamports(BigInt(MINT_RENT_LAMPORTS)), programAddress: addr(TOKEN_PROGRAM_ID), space: 82n })
    svm.airdrop(addr(wallet.publicKey), lamports(50_000_000n))
    svm.airdrop(addr(treasury.publicKey), lamports(1_000_000_000n))
    setTokenAccount(svm, wallet.publicKey, 7_250_000)
    setTokenAccount(svm, treasury.publicKey, 1_000)
    const treasuryBefore = svm.getBalance(addr(treasury.publicKey))!

    const amounts = sweepAmounts({ lamports: 50_000_000, usdc: 7_250_000, hasTokenAccount: true })
    if (typeof amounts === "string") throw new Error(amounts)
    const tx = sweepTransaction(wallet.publicKey.toBase58(), treasury.publicKey.toBase58(), mint.toBase58(), amounts, svm.latestBlockhash())
    tx.sign(wallet)
    const result = svm.sendTransaction(getTransactionDecoder().decode(tx.serialize()))
    if (result instanceof FailedTransactionMetadata) throw new Error(result.toString())

    expect(svm.getBalance(addr(wallet.publicKey)) ?? 0n).toBe(0n)
    expect(svm.getAccount(addr(ata(wallet.publicKey))).exists).toBe(false)
    const treasuryAta = svm.getAccount(addr(ata(treasury.publicKey)))
    if (!treasuryAta.exists) throw new Error("no treasury token account")
    expect(AccountLayout.decode(Buffer.from(treasuryAta.data)).amount).toBe(7_251_000n)
    expect(svm.getBalance(addr(treasury.publicKey))! - treasuryBefore).toBe(BigInt(50_000_000 - 5000 + TOKEN_ACCOUNT_RENT_LAMPORTS))

    // Sent again on a fresh blockhash, with amounts read before: the chain refuses (nothing left), as the sandbox must.
    svm.expireBlockhash()
    const again = sweepTransaction(wallet.publicKey.toBase58(), treasury.publicKey.toBase58(), mint.toBase58(), amounts, svm.latestBlockhash())
    again.sign(wallet)
    expect(svm.sendTransaction(getTransactionDecoder().decode(again.serialize()))).toBeInstanceOf(FailedTransactionMetadata)
  })

  test("our CloseAccount encodes as spl-token's", () => {
    const ours = closeAccountInstruction(ata(wallet.publicKey), treasury.publicKey, wallet.publicKey)
    const theirs = createCloseAccountInstruction(ata(wallet.publicKey), treasury.publicKey, wallet.publicKey)
    expect({ data: [...ours.data], keys: ours.keys.map((k) => [k.pubkey.toBase58(), k.isSigner, k.isWritable]) }).toEqual({
      data: [...theirs.data],
      keys: theirs.keys.map((k) => [k.pubkey.toBase58(), k.isSigner, k.isWritable]),
    })
  })
})

import { describe, expect, test } from "bun:test"
import { AccountLayout, createTransferCheckedInstruction, getAssociatedTokenAddressSync, MintLayout } from "@solana/spl-token"
import { Keypair } from "@solana/web3.js"
import { mintData, tokenAccountData, transferCheckedInstruction } from "../../src/modules/sandbox/spl"

describe("hand-written SPL encodings agree with @solana/spl-token", () => {
  const [a, b, mint, owner] = [Keypair.generate().publicKey, Keypair.generate().publicKey, Keypair.generate().publicKey, Keypair.generate().publicKey]

  test("TransferChecked instruction", () => {
    const ours = transferCheckedInstruction(a, mint, b, owner, 123_456_789, 6)
    const theirs = createTransferCheckedInstruction(a, mint, b, owner, 123_456_789, 6)
    expect({ program: ours.programId.toBase58(), data: [...ours.data], keys: ours.keys.map((k) => [k.pubkey.toBase58(), k.isSigner, k.isWritable]) }).toEqual({
      program: theirs.programId.toBase58(),
      data: [...theirs.data],
      keys: theirs.keys.map((k) => [k.pubkey.toBase58(), k.isSigner, k.isWritable]),
    })
  })

  test("associated token address, token account and mint layouts", async () => {
    const { sandboxUsdcAta, sandboxUsdcMint } = await import("../../src/modules/sandbox/identities")
    expect(sandboxUsdcAta(owner).toBase58()).toBe(getAssociatedTokenAddressSync(sandboxUsdcMint, owner, true).toBase58())
    const account = AccountLayout.decode(Buffer.from(tokenAccountData(mint, owner, 42)))
    expect({ mint: account.mint.toBase58(), owner: account.owner.toBase58(), amount: account.amount, state: account.state, delegateOption: account.delegateOption, isNativeOption: account.isNativeOption }).toEqual({ mint: mint.toBase58(), owner: owner.toBase58(), amount: 42n, state: 1, delegateOption: 0, isNativeOption: 0 })
    const m = MintLayout.decode(Buffer.from(mintData(a, 7, 6)))
    expect({ auth: m.mintAuthority.toBase58(), authOpt: m.mintAuthorityOption, supply: m.supply, decimals: m.decimals, init: m.isInitialized, freezeOpt: m.freezeAuthorityOption }).toEqual({ auth: a.toBase58(), authOpt: 1, supply: 7n, decimals: 6, init: true, freezeOpt: 0 })
  })
})

test("the SPL program ids and ATA derivation match @solana/spl-token, for both token programs", async () => {
  const spl = await import("@solana/spl-token")
  const ids = await import("../../src/platform/solana/spl-ids")
  const { Keypair } = await import("@solana/web3.js")
  expect(ids.TOKEN_PROGRAM_ID.equals(spl.TOKEN_PROGRAM_ID)).toBe(true)
  expect(ids.TOKEN_2022_PROGRAM_ID.equals(spl.TOKEN_2022_PROGRAM_ID)).toBe(true)
  expect(ids.ASSOCIATED_TOKEN_PROGRAM_ID.equals(spl.ASSOCIATED_TOKEN_PROGRAM_ID)).toBe(true)
  const mint = Keypair.generate().publicKey
  const owner = Keypair.generate().publicKey
  for (const program of [spl.TOKEN_PROGRAM_ID, spl.TOKEN_2022_PROGRAM_ID]) {
    expect(ids.associatedTokenAddress(mint, owner, program).toBase58()).toBe(spl.getAssociatedTokenAddressSync(mint, owner, true, program).toBase58())
  }
})

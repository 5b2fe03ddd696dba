// The transaction the sandbox builds is what a real chain executes: LiteSVM
// (the Solana runtime with the real System and SPL Token programs) runs it,
// signed by the payer, against the same mint and accounts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { address, getTransactionDecoder, lamports, type Address } from "@solana/kit"
import { AccountLayout, TOKEN_PROGRAM_ID } from "@solana/spl-token"
import { Keypair, type PublicKey } from "@solana/web3.js"
import { FailedTransactionMetadata, LiteSVM } from "litesvm"
import { mintBytes, tokenAccountView } from "../../src/modules/sandbox/accounts"
import { echoSol, factChecker } from "../../src/modules/sandbox/agents/text"
import { MINT_RENT_LAMPORTS, sandboxOwnerWallet, sandboxProtocolFeeWallet, sandboxUsdcAta, sandboxUsdcMint } from "../../src/modules/sandbox/identities"
import { dialects } from "../support/db"
import { makeTestApp, type TestApp } from "../support/app"
import { build, fund, signBase64 } from "./helpers"

const addr = (k: PublicKey): Address => address(k.toBase58())

const run = (svm: LiteSVM, signedBase64: string) => {
  const result = svm.sendTransaction(getTransactionDecoder().decode(Buffer.from(signedBase64, "base64")))
  if (result instanceof FailedTransactionMetadata) throw new Error(`transaction failed: ${result.toString()}`)
  return result
}

const tokenAmount = (svm: LiteSVM, owner: PublicKey): bigint => {
  const account = svm.getAccount(addr(sandboxUsdcAta(owner)))
  if (!account.exists) throw new Error("token account missing")
  return AccountLayout.decode(Buffer.from(account.data)).amount
}

for (const dialect of dialects) {
  describe(`sandbox transactions on LiteSVM (${dialect})`, () => {
    let h: TestApp
    beforeAll(async () => {
      h = await makeTestApp(dialect)
    })
    afterAll(() => h.close())

    // The sandbox's blockhashes are its own; everything else is checked as on a real chain.
    const chain = () => new LiteSVM().withBlockhashCheck(false)

    test("a USDC payment executes with the owner and fee split", async () => {
      const payer = Keypair.generate()
      const owner = sandboxOwnerWallet("fact-checker")
      await fund(h, payer.publicKey.toBase58(), { usdc: 1_000_000, sol: 10_000_000 })
      const built = await build(h, factChecker.id, payer.publicKey.toBase58(), { claim: "The earth is flat" })
      expect(built.body).toMatchObject({ ok: true, amount_base: 30_000 })

      const svm = chain()
      svm.airdrop(addr(payer.publicKey), lamports(1_000_000_000n))
      svm.setAccount({ address: addr(sandboxUsdcMint), data: mintBytes(1_000_000), executable: false, lamports: lamports(BigInt(MINT_RENT_LAMPORTS)), programAddress: addr(TOKEN_PROGRAM_ID), space: 82n })
      for (const [wallet, amount] of [[payer.publicKey, 1_000_000], [owner, 0], [sandboxProtocolFeeWallet, 0]] as const) {
        const view = tokenAccountView({ address: sandboxUsdcAta(wallet).toBase58(), owner: wallet.toBase58(), mint: sandboxUsdcMint.toBase58(), amount })
        svm.setAccount({ address: addr(sandboxUsdcAta(wallet)), data: view.bytes, executable: false, lamports: lamports(BigInt(view.lamports)), programAddress: addr(TOKEN_PROGRAM_ID), space: BigInt(view.bytes.length) })
      }

      run(svm, signBase64(built.body.transaction, payer))
      expect({ payer: tokenAmount(svm, payer.publicKey), owner: tokenAmount(svm, owner), fee: tokenAmount(svm, sandboxProtocolFeeWallet) }).toEqual({ payer: 970_000n, owner: 27_000n, fee: 3_000n })
      expect(svm.getBalance(addr(payer.publicKey))).toBe(lamports(1_000_000_000n - 5_000n))
    })

    test("a SOL payment executes with System transfers", async () => {
      const payer = Keypair.generate()
      const owner = sandboxOwnerWallet("echo-sol")
      await fund(h, payer.publicKey.toBase58(), { sol: 1_000_000_000 })
      const built = await build(h, echoSol.id, payer.publicKey.toBase58(), { text: "gm" })
      const svm = chain()
      svm.airdrop(addr(payer.publicKey), lamports(1_000_000_000n))
      // recipients hold SOL already, as the sandbox seeds them, so they stay rent-exempt
      svm.airdrop(addr(owner), lamports(1_000_000_000n))
      svm.airdrop(addr(sandboxProtocolFeeWallet), lamports(1_000_000_000n))

      run(svm, signBase64(built.body.transaction, payer))
      expect(svm.getBalance(addr(payer.publicKey))).toBe(lamports(1_000_000_000n - 100_000n - 5_000n))
      expect(svm.getBalance(addr(owner))).toBe(lamports(1_000_000_000n + 90_000n))
      expect(svm.getBalance(addr(sandboxProtocolFeeWallet))).toBe(lamports(1_000_000_000n + 10_000n))
    })

    test("the same transaction signed by a stranger is rejected by the chain", async () => {
      const payer = Keypair.generate()
      const built = await build(h, echoSol.id, payer.publicKey.toBase58(), { text: "gm" })
      const svm = chain()
      svm.airdrop(addr(payer.publicKey), lamports(1_000_000_000n))
      const bytes = Buffer.from(signBase64(built.body.transaction, payer), "base64")
      bytes[1] = bytes[1]! ^ 0xff
      expect(() => run(svm, bytes.toString("base64"))).toThrow()
    })
  })
}

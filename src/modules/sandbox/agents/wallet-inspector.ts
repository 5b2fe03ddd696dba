// Reads a wallet's balances from the sandbox ledger.
import { PublicKey } from "@solana/web3.js"
import { Type } from "@sinclair/typebox"
import { Effect } from "effect"
import { solBalance, tokenAccountsByOwner } from "../ledger"
import { sandboxUsdcMint } from "../identities"
import { AgentFailure, type SampleAgent } from "./types"

export const walletInspector: SampleAgent = {
  id: "5a9e2c71-4d8b-4f16-8e3a-9b7c0d2f4e68",
  slug: "wallet-inspector",
  name: "WalletInspector (sandbox)",
  description: "Reports a wallet's SOL and USDC balances on the sandbox ledger.",
  token: "USDC",
  priceBase: 40_000,
  input: Type.Object({ wallet: Type.String({ minLength: 32, maxLength: 44, description: "base58 public key" }) }, { additionalProperties: false }),
  output: Type.Object({
    wallet: Type.String(),
    sol_lamports: Type.Integer(),
    usdc_base_units: Type.Integer(),
    token_accounts: Type.Integer(),
  }),
  examples: [{ wallet: "11111111111111111111111111111111" }],
  run: ({ input, db }) =>
    Effect.gen(function* () {
      const wallet = String(input.wallet)
      try {
        new PublicKey(wallet)
      } catch {
        return yield* Effect.fail(new AgentFailure("wallet is not a valid base58 public key"))
      }
      const accounts = yield* tokenAccountsByOwner(db, wallet)
      const usdc = accounts.filter((a) => a.mint === sandboxUsdcMint.toBase58()).reduce((sum, a) => sum + a.amount, 0)
      return { wallet, sol_lamports: (yield* solBalance(db, wallet)) ?? 0, usdc_base_units: usdc, token_accounts: accounts.length }
    }),
}

// Account views of the sandbox ledger in the Solana RPC's shapes: raw bytes
// laid out exactly as SPL Token stores them, so `@solana/spl-token`'s
// `getAccount`/`getMint` decode them, and the `jsonParsed` form.
import { PublicKey, SystemProgram } from "@solana/web3.js"
import bs58 from "bs58"
import { Effect } from "effect"
import { MINT_RENT_LAMPORTS, SANDBOX_USDC_DECIMALS, sandboxMintAuthority, sandboxUsdcMint, TOKEN_ACCOUNT_RENT_LAMPORTS } from "./identities"
import { solBalance, tokenAccount, usdcSupply, type TokenAccountRow } from "./ledger"
import { ACCOUNT_SIZE, MINT_SIZE, mintData, TOKEN_PROGRAM_ID, tokenAccountData } from "./spl"
import type { SandboxSql } from "./store/sql"

export type Encoding = "base64" | "base58" | "jsonParsed"

type Parsed = { readonly program: string; readonly parsed: unknown; readonly space: number }

export type LedgerAccount = {
  readonly lamports: number
  readonly owner: string
  readonly bytes: Uint8Array
  readonly parsed?: Parsed
}

/** Token amount in the RPC's shape; `uiAmount` is display only (the RPC sends a float). */
export const tokenAmount = (amount: number, decimals: number) => {
  const whole = BigInt(amount) / 10n ** BigInt(decimals)
  const frac = (BigInt(amount) % 10n ** BigInt(decimals)).toString().padStart(decimals, "0").replace(/0+$/, "")
  return { amount: String(amount), decimals, uiAmount: amount / 10 ** decimals, uiAmountString: frac ? `${whole}.${frac}` : `${whole}` }
}

const tokenAccountBytes = (row: TokenAccountRow): Uint8Array => tokenAccountData(new PublicKey(row.mint), new PublicKey(row.owner), row.amount)

export const mintBytes = (supply: number): Uint8Array => mintData(sandboxMintAuthority, supply, SANDBOX_USDC_DECIMALS)

export const tokenAccountView = (row: TokenAccountRow): LedgerAccount => ({
  lamports: TOKEN_ACCOUNT_RENT_LAMPORTS,
  owner: TOKEN_PROGRAM_ID.toBase58(),
  bytes: tokenAccountBytes(row),
  parsed: {
    program: "spl-token",
    parsed: {
      type: "account",
      info: { isNative: false, mint: row.mint, owner: row.owner, state: "initialized", tokenAmount: tokenAmount(row.amount, SANDBOX_USDC_DECIMALS) },
    },
    space: ACCOUNT_SIZE,
  },
})

/** The ledger's view of an address: the mint, a token account, a funded wallet, or nothing. */
export const accountAt = (db: SandboxSql, address: string): Effect.Effect<LedgerAccount | undefined> =>
  Effect.gen(function* () {
    if (address === sandboxUsdcMint.toBase58()) {
      const supply = yield* usdcSupply(db)
      return {
        lamports: MINT_RENT_LAMPORTS,
        owner: TOKEN_PROGRAM_ID.toBase58(),
        bytes: mintBytes(supply),
        parsed: {
          program: "spl-token",
          parsed: { type: "mint", info: { decimals: SANDBOX_USDC_DECIMALS, freezeAuthority: null, isInitialized: true, mintAuthority: sandboxMintAuthority.toBase58(), supply: String(supply) } },
          space: MINT_SIZE,
        },
      }
    }
    const token = yield* tokenAccount(db, address)
    if (token) return tokenAccountView(token)
    const lamports = yield* solBalance(db, address)
    if (lamports === undefined) return undefined
    return { lamports, owner: SystemProgram.programId.toBase58(), bytes: new Uint8Array(0) }
  })

/** An account as the RPC encodes it (`getAccountInfo`, `getTokenAccountsByOwner`). */
export const encodeAccount = (account: LedgerAccount, encoding: Encoding) => ({
  data:
    encoding === "jsonParsed" && account.parsed
      ? account.parsed
      : encoding === "base58"
        ? [bs58.encode(account.bytes), "base58"]
        : [Buffer.from(account.bytes).toString("base64"), "base64"],
  executable: false,
  lamports: account.lamports,
  owner: account.owner,
  rentEpoch: 0,
  space: account.bytes.length,
})

// The sandbox's fixed identities. Every key is derived from a public seed, so
// tests, LiteSVM and a restarted process all see the same addresses. None of
// them guards real value: the seeds are in the source on purpose.
import { Keypair, PublicKey } from "@solana/web3.js"
import { createHash } from "node:crypto"
import { boundedMemo } from "../../platform/memo"
import { associatedTokenAddress } from "./spl"

const derive = (label: string): Keypair =>
  Keypair.fromSeed(new Uint8Array(createHash("sha256").update(`tdk-sandbox:${label}`).digest()))

/** The sandbox USDC mint (6 decimals) and its mint authority. */
export const sandboxUsdcMint: PublicKey = derive("usdc-mint").publicKey
export const sandboxMintAuthority: PublicKey = derive("usdc-mint-authority").publicKey
export const SANDBOX_USDC_DECIMALS = 6

/** Receives floor(price × fee_bps / 10000) of every call. */
export const sandboxProtocolFeeWallet: PublicKey = derive("protocol-fee").publicKey

// Deriving a key is an ed25519 scalar multiplication in JavaScript (about a
// millisecond), and a paid call names its agent's owner several times.
const owners = boundedMemo<PublicKey>(256)

/** The owner wallet of a sample agent, by the agent's slug. */
export const sandboxOwnerWallet = (slug: string): PublicKey => owners.get(slug, () => derive(`owner:${slug}`).publicKey)

/** Associated token account of `owner` for the sandbox USDC mint. */
export const sandboxUsdcAta = (owner: PublicKey): PublicKey => associatedTokenAddress(sandboxUsdcMint, owner)

/** Lamports charged to the fee payer per signature, as on mainnet. */
export const NETWORK_FEE_LAMPORTS = 5000

/** Rent-exempt minimum of a 165-byte token account, lamports (what the chain reports). */
export const TOKEN_ACCOUNT_RENT_LAMPORTS = 2_039_280
/** Rent-exempt minimum of an 82-byte mint account, lamports. */
export const MINT_RENT_LAMPORTS = 1_461_600

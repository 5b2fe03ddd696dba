// Sending funds to one pool wallet from the command line: from the treasury
// key the operator supplies at run time (SOL, the USDC account if missing,
// and a checked USDC transfer in one transaction, confirmed before the next),
// or, on the sandbox network, from the faucet. Used by `tdk pool refill` and
// by `tdk pool rotate` for the new wallets.
import { readFileSync } from "node:fs"
import type { Keypair } from "@solana/web3.js"
import type { Config } from "../platform/config/config"
import type { RefillStep } from "../modules/pool/refill-run"
import { upstreamText } from "../modules/marketplace/sanitize"
import { shownRpc } from "./pool-reports"

export type SendFunds = (step: RefillStep) => Promise<string>

/** Why a send failed, fit for the terminal: web3.js's messages may name the RPC URL, which carries a provider's key. */
export const sendFailure = (e: unknown, config: Config): string => upstreamText(e instanceof Error ? e.message : String(e), [config.solanaRpcUrl])

/** Reads a treasury key file without ever echoing it; the error says why in general terms. */
export const readTreasuryKey = async (command: string, file: string): Promise<Keypair | string> => {
  // Loaded here, not with the CLI: @solana/spl-token's bigint binding prints a warning on load that every other command would show.
  const { readKeypairFile } = await import("../modules/pool/refill-run")
  try {
    return readKeypairFile(readFileSync(file, "utf8"))
  } catch (e) {
    return `${command}: ${file}: ${e instanceof Error && !("code" in e) ? e.message : "cannot be read"}`
  }
}

/** The sender for this network: the treasury's transactions, or the sandbox faucet when no key is given on the sandbox. */
export const fundsSender = async (config: Config, treasury: Keypair | undefined): Promise<SendFunds> => {
  if (!treasury) {
    return async (s) => {
      const faucet = new URL("faucet", config.solanaRpcUrl)
      const r = await fetch(faucet, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ wallet: s.publicKey, usdc: s.usdc, sol: s.lamports }) })
      if (!r.ok) throw new Error(`the faucet at ${shownRpc(faucet.toString())} answered ${r.status}`)
      return "funded by the faucet"
    }
  }
  const { Connection, PublicKey } = await import("@solana/web3.js")
  const { refillTransaction } = await import("../modules/pool/refill-run")
  const connection = new Connection(config.solanaRpcUrl, "confirmed")
  const mint = new PublicKey(config.usdcMint!)
  return async (s) => {
    const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash()
    const tx = refillTransaction(treasury, s, mint, blockhash)
    const signature = await connection.sendRawTransaction(tx.serialize())
    // Sent: from here a failure to confirm does not mean it did not land.
    const confirmed = await connection.confirmTransaction({ signature, blockhash, lastValidBlockHeight }, "confirmed").catch((e: unknown) => {
      throw new Error(`SENT, NOT CONFIRMED (${signature}): check it on chain before running again (${e instanceof Error ? e.message : String(e)})`)
    })
    if (confirmed.value.err) throw new Error(`the transaction failed on chain (${signature}): ${JSON.stringify(confirmed.value.err)}`)
    return signature
  }
}

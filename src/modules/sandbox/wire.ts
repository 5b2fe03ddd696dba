// Sample agents and stored receipts in the protocol's wire shapes.
import type { WireAgent, WireReceipt, TokenSymbol } from "../marketplace/protocol"
import { SOL_DECIMALS, USDC_DECIMALS, WRAPPED_SOL_MINT } from "../marketplace/protocol"
import { SANDBOX_AGENTS_CREATED_AT, SANDBOX_FEE_BPS } from "./agents/catalog"
import type { SampleAgent } from "./agents/types"
import { sandboxOwnerWallet, sandboxUsdcMint } from "./identities"

export const decimalsOf = (token: TokenSymbol) => (token === "SOL" ? SOL_DECIMALS : USDC_DECIMALS)

/** Human units for display fields only; every computation uses base units. */
export const display = (base: number, token: TokenSymbol) => base / 10 ** decimalsOf(token)

export const wireAgent = (agent: SampleAgent, detail: boolean): WireAgent => ({
  id: agent.id,
  name: agent.name,
  description: agent.description,
  // Sandbox agents run in-process; this names them, it is not reachable.
  endpoint_url: `internal://sandbox/agents/${agent.slug}`,
  price_display: display(agent.priceBase, agent.token),
  price_base: agent.priceBase,
  ...(agent.token === "USDC" ? { price_usd: display(agent.priceBase, "USDC") } : {}),
  token: agent.token,
  token_mint: agent.token === "USDC" ? sandboxUsdcMint.toBase58() : WRAPPED_SOL_MINT,
  token_decimals: decimalsOf(agent.token),
  owner_wallet: sandboxOwnerWallet(agent.slug).toBase58(),
  owner: { name: "TDK sandbox", verified: true },
  fee_bps: SANDBOX_FEE_BPS,
  status: "active",
  created_at: SANDBOX_AGENTS_CREATED_AT,
  is_beta: agent.isBeta ?? false,
  is_private: agent.isPrivate ?? false,
  ...(detail
    ? {
        input_schema: JSON.parse(JSON.stringify(agent.input)) as Record<string, unknown>,
        output_schema: JSON.parse(JSON.stringify(agent.output)) as Record<string, unknown>,
        example_inputs: agent.examples,
      }
    : {}),
})

export type ReceiptRow = {
  readonly id: string
  readonly intent_id: string
  readonly agent_id: string
  readonly caller_wallet: string
  readonly payout_wallet: string
  readonly token: TokenSymbol
  readonly amount_base: number
  readonly protocol_fee: number
  readonly input_hash: string
  readonly output_hash: string
  readonly output_json: string
  readonly tx_signature: string
  readonly verified_at: number
}

export const wireReceipt = (r: ReceiptRow): WireReceipt => ({
  id: r.id,
  caller_wallet: r.caller_wallet,
  payout_wallet: r.payout_wallet,
  token: r.token,
  amount_display: display(r.amount_base, r.token),
  protocol_fee_display: display(r.protocol_fee, r.token),
  input_hash: r.input_hash,
  output_hash: r.output_hash,
  output_data: JSON.parse(r.output_json) as Record<string, unknown>,
  tx_signature: r.tx_signature,
  verified_at: new Date(r.verified_at).toISOString(),
  payment_intent_id: r.intent_id,
})

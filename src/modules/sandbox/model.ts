// Route schemas of the sandbox, in the protocol's wire shapes (documented in
// OpenAPI under the "sandbox" tag).
import { t } from "elysia"

export const ErrorEnvelope = t.Object({
  ok: t.Literal(false, { description: "The platform refused the request" }),
  error: t.String({ description: "Why; clients classify by its prefix" }),
})

export const Token = t.Union([t.Literal("USDC"), t.Literal("SOL")], { description: "Token the agent is priced in" })

export const AgentSchema = t.Object({
  id: t.String({ description: "Agent id (UUID)" }),
  name: t.String({ description: "Display name" }),
  description: t.Optional(t.String({ description: "What the agent does" })),
  endpoint_url: t.String({ description: "Where the platform calls the agent (sandbox agents run in-process)" }),
  price_display: t.Number({ description: "Price in human units, display only" }),
  price_base: t.Integer({ description: "Price in integer base units of token (USDC 6 decimals, SOL 9)" }),
  price_usd: t.Optional(t.Number({ description: "Price in USD, display only (USDC agents)" })),
  token: Token,
  token_mint: t.String({ description: "Mint of the price token (wrapped SOL for SOL)" }),
  token_decimals: t.Integer({ description: "Decimals of the price token" }),
  input_schema: t.Optional(t.Record(t.String(), t.Unknown(), { description: "JSON Schema of the input (detail only)" })),
  output_schema: t.Optional(t.Record(t.String(), t.Unknown(), { description: "JSON Schema of the output (detail only)" })),
  owner_wallet: t.String({ description: "Wallet that receives price minus fee" }),
  owner: t.Optional(t.Record(t.String(), t.Unknown(), { description: "Owner display metadata" })),
  fee_bps: t.Integer({ description: "Protocol fee, basis points" }),
  status: t.String({ description: "Listing status" }),
  created_at: t.String({ description: "Listing time, ISO 8601" }),
  example_inputs: t.Optional(t.Array(t.Record(t.String(), t.Unknown()), { description: "Example inputs (detail only)" })),
  is_beta: t.Optional(t.Boolean({ description: "Beta agent" })),
  is_private: t.Optional(t.Boolean({ description: "Only callable by its owner's agents" })),
})

export const ReceiptSchema = t.Object({
  id: t.String({ description: "Receipt id (UUID)" }),
  caller_wallet: t.String({ description: "Wallet that paid" }),
  payout_wallet: t.String({ description: "Agent owner wallet" }),
  token: Token,
  amount_display: t.Number({ description: "Amount paid, display only" }),
  protocol_fee_display: t.Number({ description: "Protocol fee, display only" }),
  input_hash: t.String({ description: "sha256 hex of the input JSON" }),
  output_hash: t.String({ description: "sha256 hex of the output JSON" }),
  output_data: t.Record(t.String(), t.Unknown(), { description: "The agent's output" }),
  tx_signature: t.String({ description: "Payment transaction signature (base58)" }),
  verified_at: t.String({ description: "Settlement time, ISO 8601" }),
  payment_intent_id: t.Optional(t.String({ description: "The intent this receipt settles" })),
})

export const AgentIdParam = t.Object({ id: t.String({ description: "Agent id (UUID)" }) })

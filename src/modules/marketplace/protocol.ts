// Wire shapes of the Tetto agent-call protocol (see shared TETTO_PROTOCOL.md).
// Shared by the marketplace client and the sandbox that imitates the platform,
// so both sides of every test speak exactly one definition.

export type TokenSymbol = "USDC" | "SOL"

/** An agent as `GET /api/agents/{id}` returns it. List items omit the schemas and examples. */
export type WireAgent = {
  readonly id: string
  readonly name: string
  readonly description?: string
  readonly endpoint_url: string
  /** Human units, e.g. 0.01. Display only: never compute with it. */
  readonly price_display: number
  /** Integer base units of `token` (USDC 6 decimals, SOL 9). */
  readonly price_base: number
  readonly price_usd?: number
  readonly token: TokenSymbol
  readonly token_mint: string
  readonly token_decimals: number
  readonly input_schema?: Record<string, unknown>
  readonly output_schema?: Record<string, unknown>
  readonly owner_wallet: string
  readonly owner?: Record<string, unknown>
  /** Protocol fee, basis points (default 1000 = 10%). */
  readonly fee_bps: number
  readonly status: string
  readonly created_at: string
  readonly example_inputs?: ReadonlyArray<Record<string, unknown>>
  readonly is_beta?: boolean
  readonly is_private?: boolean
}

export type Envelope<T> = ({ readonly ok: true } & T) | { readonly ok: false; readonly error: string }

/** The success branch of a response envelope. */
export type Success<T> = Extract<T, { readonly ok: true }>

export type ListAgentsResponse = Envelope<{
  readonly agents: ReadonlyArray<WireAgent>
  readonly count: number
  readonly pagination: { readonly limit: number; readonly offset: number; readonly total: number; readonly hasMore: boolean }
}>

export type GetAgentResponse = Envelope<{ readonly agent: WireAgent }>

export type BuildTransactionRequest = {
  readonly payer_wallet: string
  readonly selected_token?: TokenSymbol
  readonly input: Record<string, unknown>
  readonly calling_agent_id?: string
}

export type BuildTransactionResponse = Envelope<{
  /** base64 of an unsigned legacy Solana transaction. */
  readonly transaction: string
  readonly payment_intent_id: string
  readonly amount_base: number
  readonly token: TokenSymbol
  readonly expires_at: string
  /** sha256 hex of the input. */
  readonly input_hash: string
  readonly message?: string
}>

export type CallRequest = {
  readonly payment_intent_id: string
  /** base64 of the fully signed serialized transaction. */
  readonly signed_transaction: string
}

export type CallResponse = Envelope<{
  readonly message: string
  readonly output: Record<string, unknown>
  readonly tx_signature: string
  readonly receipt_id: string
  readonly explorer_url: string
  readonly agent_received: number
  readonly protocol_fee: number
}>

export type WireReceipt = {
  readonly id: string
  readonly caller_wallet: string
  readonly payout_wallet: string
  readonly token: TokenSymbol
  readonly amount_display: number
  readonly protocol_fee_display: number
  readonly input_hash: string
  readonly output_hash: string
  readonly output_data: Record<string, unknown>
  readonly tx_signature: string
  readonly verified_at: string
  /** Not in the public SDK's type, but returned by the sandbox: the paid intent. */
  readonly payment_intent_id?: string
}


/** Error texts the platform is documented to return; clients classify by prefix. */
export const protocolErrors = {
  inputValidation: "Input validation failed:",
  insufficientFunds: "Simulation failed: Attempt to debit an account",
  agentTimeout: "Agent timeout",
  outputValidation: "Output validation failed:",
  privateAgent: "PRIVATE_AGENT_UNAUTHORIZED",
  intentExpired: "Payment intent expired",
  intentUsed: "Payment intent already used",
  // A chain's refusal of a signature it already processed (Solana's AlreadyProcessed).
  alreadyProcessed: "This transaction has already been processed",
  agentNotFound: "Agent not found",
} as const

export const paths = {
  listAgents: "/api/agents",
  agent: (id: string) => `/api/agents/${encodeURIComponent(id)}`,
  buildTransaction: (id: string) => `/api/agents/${encodeURIComponent(id)}/build-transaction`,
  call: "/api/agents/call",
  receipt: (id: string) => `/api/receipts/${encodeURIComponent(id)}`,
} as const

export const WRAPPED_SOL_MINT = "So11111111111111111111111111111111111111112"
export const USDC_DECIMALS = 6
export const SOL_DECIMALS = 9

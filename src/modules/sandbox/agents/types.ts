// What a sample agent is: its marketplace listing and an in-process handler
// that receives the same `{ input, tetto_context }` a real agent is POSTed.
import type { Database } from "bun:sqlite"
import type { TSchema } from "@sinclair/typebox"
import type { TokenSymbol } from "../../marketplace/protocol"

export type TettoContext = {
  readonly caller_wallet: string
  readonly caller_agent_id: string | null
  readonly current_agent_id: string
  readonly current_agent_name: string
  readonly current_agent_network: "sandbox"
  readonly intent_id: string
  /** ms since epoch */
  readonly timestamp: number
  readonly version: string
}

export type AgentRun = {
  readonly input: Record<string, unknown>
  readonly tetto_context: TettoContext
  /** The sandbox database, for agents that keep data or read balances. */
  readonly db: Database
}

export type SampleAgent = {
  readonly id: string
  readonly slug: string
  readonly name: string
  readonly description: string
  readonly token: TokenSymbol
  /** Integer base units of `token`. */
  readonly priceBase: number
  readonly isPrivate?: boolean
  readonly isBeta?: boolean
  readonly input: TSchema
  readonly output: TSchema
  readonly examples: ReadonlyArray<Record<string, unknown>>
  /** Returns the output or throws AgentFailure. Input has already passed `input`. */
  readonly run: (call: AgentRun) => Record<string, unknown>
}

/** An agent's own refusal; the platform refunds the payment and returns the message. */
export class AgentFailure extends Error {
  override readonly name = "AgentFailure"
}

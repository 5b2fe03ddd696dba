// What a sample agent is: its marketplace listing and an in-process handler
// that receives the same `{ input, tetto_context }` a real agent is POSTed.
import type { TSchema } from "@sinclair/typebox"
import { Effect } from "effect"
import type { TokenSymbol } from "../../marketplace/protocol"
import type { SandboxSql } from "../store/sql"

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
  readonly db: SandboxSql
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
  /** The output, or AgentFailure. Input has already passed `input`. */
  readonly run: (call: AgentRun) => Effect.Effect<Record<string, unknown>, AgentFailure>
}

/** An agent's own refusal; the platform refunds the payment and returns the message. */
export class AgentFailure extends Error {
  override readonly name = "AgentFailure"
}

/** What the platform says when an agent breaks without a refusal of its own. */
export const AGENT_ERROR = "Agent error: the agent did not return a result"

/** An agent written as a plain function that returns its output or throws AgentFailure. */
export const pure =
  (run: (call: AgentRun) => Record<string, unknown>) =>
  (call: AgentRun): Effect.Effect<Record<string, unknown>, AgentFailure> =>
    Effect.try({ try: () => run(call), catch: (e) => (e instanceof AgentFailure ? e : new AgentFailure(AGENT_ERROR)) })

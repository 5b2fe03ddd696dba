// Which agent the path names, on the directory of the key's network.
import { Effect } from "effect"
import { resolveAgentId, type AgentDirectoryShape } from "../../network/agents"
import { UnknownAgentAlias } from "../errors"

export const resolveAgent = Effect.fn("Gateway.resolveAgent")(function* (directory: AgentDirectoryShape, ref: string) {
  const agentId = resolveAgentId(directory, ref)
  if (agentId === undefined) return yield* new UnknownAgentAlias({ ref: ref.slice(0, 100) })
  return agentId
})

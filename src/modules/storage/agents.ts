// Which marketplace agent serves /v1/memory and /v1/answers on a network.
// The sandbox supplies its own; devnet and mainnet need MEMORY_AGENT_ID /
// ANSWERS_AGENT_ID (test keys always reach the sandbox's).
import { Effect } from "effect"
import type { AgentDirectoryShape } from "../network/agents"
import { StorageAgentNotConfigured } from "./errors"

export type StorageFeature = "memory" | "answers"

export const storageAgentId = (directory: AgentDirectoryShape, feature: StorageFeature) => {
  const id = feature === "memory" ? directory.memoryAgentId : directory.answersAgentId
  return id === undefined
    ? Effect.fail(new StorageAgentNotConfigured({ feature, variable: feature === "memory" ? "MEMORY_AGENT_ID" : "ANSWERS_AGENT_ID" }))
    : Effect.succeed(id)
}

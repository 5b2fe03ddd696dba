// Which marketplace agent serves /v1/memory and /v1/answers. The sandbox
// supplies its own; devnet and mainnet need MEMORY_AGENT_ID / ANSWERS_AGENT_ID.
import { Effect } from "effect"
import { AgentDirectory } from "../gateway/agents"
import { StorageAgentNotConfigured } from "./errors"

export type StorageFeature = "memory" | "answers"

export const storageAgentId = (feature: StorageFeature) =>
  Effect.flatMap(AgentDirectory, (directory) => {
    const id = feature === "memory" ? directory.memoryAgentId : directory.answersAgentId
    return id === undefined
      ? Effect.fail(new StorageAgentNotConfigured({ feature, variable: feature === "memory" ? "MEMORY_AGENT_ID" : "ANSWERS_AGENT_ID" }))
      : Effect.succeed(id)
  })

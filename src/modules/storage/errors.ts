import { Data } from "effect"

/** No marketplace agent is configured behind /v1/memory or /v1/answers on this network. */
export class StorageAgentNotConfigured extends Data.TaggedError("StorageAgentNotConfigured")<{
  readonly feature: "memory" | "answers"
  readonly variable: "MEMORY_AGENT_ID" | "ANSWERS_AGENT_ID"
}> {}

// The problem documents of this module's errors. The memory and answers routes.
// The map is keyed by every tag of the union, so an error without one does not compile.
import { problem, type ProblemMap } from "../../platform/http/problem"
import type { StorageAgentNotConfigured } from "./errors"

export const storageProblems: ProblemMap<StorageAgentNotConfigured> = {
  StorageAgentNotConfigured: problem(503, "storage_agent_not_configured", "Storage agent not configured", (e) => `/v1/${e.feature} has no agent on this network. The operator must set ${e.variable} to the marketplace UUID of the ${e.feature === "memory" ? "WarmMemory" : "WarmAnswers"} agent to use.`, { extra: (e) => ({ variable: e.variable }) }),
}

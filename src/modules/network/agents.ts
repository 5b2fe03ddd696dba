// Which agent a path names, and which agents keep per-caller data. Storage
// agents key data by the paying wallet, which many keys share, so the gateway
// gives each key its own namespace as input.wallet: the key's storage
// namespace, a random secret stored with the key (keys/storage-namespace.ts).
// It does not rely on the agent also keying by the paying wallet: a real
// agent may not, and then the namespace alone guards the data.
import type { Config } from "../../platform/config/config"
import { isUuid } from "../../platform/ids"
import { sampleAgents } from "../sandbox/agents/catalog"
import { warmAnswers } from "../sandbox/agents/warm-answers"
import { warmMemory } from "../sandbox/agents/warm-memory"

export type AgentDirectoryShape = {
  readonly aliases: Readonly<Record<string, string>>
  readonly memoryAgentId: string | undefined
  readonly answersAgentId: string | undefined
  readonly namespaced: ReadonlySet<string>
}

/** Configured aliases and storage agents; on the sandbox its own agents fill the gaps. */
export const agentDirectory = (config: Pick<Config, "network" | "agentAliases" | "memoryAgentId" | "answersAgentId" | "namespacedAgentIds">): AgentDirectoryShape => {
  const sandbox = config.network === "sandbox"
  // Both `warm-memory` and `warmmemory` name the same agent.
  const aliases: Record<string, string> = sandbox ? Object.fromEntries(sampleAgents.flatMap((a) => [[a.slug, a.id], [a.slug.replaceAll("-", ""), a.id]])) : {}
  Object.assign(aliases, config.agentAliases)
  const memoryAgentId = config.memoryAgentId ?? (sandbox ? warmMemory.id : undefined)
  const answersAgentId = config.answersAgentId ?? (sandbox ? warmAnswers.id : undefined)
  const namespaced = new Set(config.namespacedAgentIds)
  for (const id of [memoryAgentId, answersAgentId]) if (id) namespaced.add(id)
  return { aliases, memoryAgentId, answersAgentId, namespaced }
}

/** The sandbox's own agents and nothing configured: the directory test keys see on devnet and mainnet. */
export const sandboxDirectory = (): AgentDirectoryShape => agentDirectory({ network: "sandbox", agentAliases: {}, memoryAgentId: undefined, answersAgentId: undefined, namespacedAgentIds: [] })

/** The marketplace id for a path segment: a UUID as is, else an alias. */
export const resolveAgentId = (directory: AgentDirectoryShape, ref: string): string | undefined =>
  isUuid(ref) ? ref.toLowerCase() : aliasOf(directory, ref.toLowerCase())

// Own keys only: "__proto__" or "constructor" must not find Object.prototype's members.
const aliasOf = (directory: AgentDirectoryShape, alias: string): string | undefined =>
  Object.hasOwn(directory.aliases, alias) ? directory.aliases[alias] : undefined

/** The input sent to the agent: a storage agent's target wallet is always the key's namespace, whatever the caller sent. */
export const namespacedInput = (directory: AgentDirectoryShape, agentId: string, storageNamespace: string, input: Record<string, unknown>): Record<string, unknown> =>
  directory.namespaced.has(agentId) ? { ...input, wallet: storageNamespace } : input

// Which agent a path names, and which agents keep per-caller data. Storage
// agents key data by the paying wallet, which many keys share, so the gateway
// gives each key its own namespace as input.wallet: the key's storage
// namespace, a random secret stored with the key (keys/storage-namespace.ts).
// It does not rely on the agent also keying by the paying wallet: a real
// agent may not, and then the namespace alone guards the data.
import type { Config } from "../../platform/config/config"
import { isUuid } from "../../platform/ids"
import type { SandboxAgents } from "./built-in-sandbox"

export type AgentDirectoryShape = {
  readonly aliases: Readonly<Record<string, string>>
  readonly memoryAgentId: string | undefined
  readonly answersAgentId: string | undefined
  readonly namespaced: ReadonlySet<string>
}

type DirectoryConfig = Pick<Config, "agentAliases" | "memoryAgentId" | "answersAgentId" | "namespacedAgentIds">

/** Configured aliases and storage agents over `defaults` (the sandbox's agents on the sandbox network, none elsewhere). */
export const agentDirectory = (config: DirectoryConfig, defaults: SandboxAgents | undefined): AgentDirectoryShape => {
  const aliases: Record<string, string> = { ...defaults?.aliases, ...config.agentAliases }
  const memoryAgentId = config.memoryAgentId ?? defaults?.memoryAgentId
  const answersAgentId = config.answersAgentId ?? defaults?.answersAgentId
  const namespaced = new Set(config.namespacedAgentIds)
  for (const id of [memoryAgentId, answersAgentId]) if (id) namespaced.add(id)
  return { aliases, memoryAgentId, answersAgentId, namespaced }
}

/** The sandbox's own agents and nothing configured: the directory test keys see on devnet and mainnet. */
export const sandboxDirectory = (agents: SandboxAgents): AgentDirectoryShape =>
  agentDirectory({ agentAliases: {}, memoryAgentId: undefined, answersAgentId: undefined, namespacedAgentIds: [] }, agents)

/** The marketplace id for a path segment: a UUID as is, else an alias. */
export const resolveAgentId = (directory: AgentDirectoryShape, ref: string): string | undefined =>
  isUuid(ref) ? ref.toLowerCase() : aliasOf(directory, ref.toLowerCase())

// Own keys only: "__proto__" or "constructor" must not find Object.prototype's members.
const aliasOf = (directory: AgentDirectoryShape, alias: string): string | undefined =>
  Object.hasOwn(directory.aliases, alias) ? directory.aliases[alias] : undefined

/** The input sent to the agent: a storage agent's target wallet is always the key's namespace, whatever the caller sent. */
export const namespacedInput = (directory: AgentDirectoryShape, agentId: string, storageNamespace: string, input: Record<string, unknown>): Record<string, unknown> =>
  directory.namespaced.has(agentId) ? { ...input, wallet: storageNamespace } : input

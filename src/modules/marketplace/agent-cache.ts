// Agents fetched by id, reused for a short time so each call does not cost a
// round trip, yet a price change is seen within one TTL. `now` is passed in
// (read from Effect's Clock by the caller) so expiry is testable.
import type { WireAgent } from "./protocol"

export type AgentCache = {
  readonly get: (agentId: string, now: number) => WireAgent | undefined
  readonly set: (agentId: string, agent: WireAgent, now: number) => void
}

/** `ttlMs` 0 disables caching. At most `maxEntries` agents are held; the oldest insert goes first. */
export const makeAgentCache = (ttlMs: number, maxEntries = 1000): AgentCache => {
  const entries = new Map<string, { readonly agent: WireAgent; readonly expiresAt: number }>()
  return {
    get: (agentId, now) => {
      const hit = entries.get(agentId)
      if (hit === undefined) return undefined
      if (now >= hit.expiresAt) {
        entries.delete(agentId)
        return undefined
      }
      return hit.agent
    },
    set: (agentId, agent, now) => {
      if (ttlMs <= 0) return
      entries.delete(agentId)
      entries.set(agentId, { agent, expiresAt: now + ttlMs })
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string)
    },
  }
}

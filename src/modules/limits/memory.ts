// Single-instance backends: plain Maps in this process. Exact within one
// process only; several instances each enforce the full limit.
import { Effect } from "effect"
import { backoff, backoffWait, type BackoffRule, type BackoffState } from "./backoff"
import { gcra, isIdle, type GcraDecision, type GcraState } from "./gcra"
import type { BackoffStore, Lease, LeaseStore } from "./model"

/** Keys kept before idle ones are swept. */
export const MEMORY_MAX_KEYS = 100_000

/**
 * A GCRA table. An idle key (TAT in the past) decides exactly like an absent
 * one, so sweeping idle keys loses nothing; only when every tracked key is
 * busy are the oldest dropped, to keep memory bounded.
 */
export const memoryGcra = (maxKeys = MEMORY_MAX_KEYS) => {
  const tats = new Map<string, GcraState>()
  const sweep = (nowMs: number) => {
    for (const [key, state] of tats) if (isIdle(nowMs, state)) tats.delete(key)
    for (const key of tats.keys()) {
      if (tats.size < maxKeys) break
      tats.delete(key)
    }
  }
  return {
    check: (keyId: string, limitPerMinute: number, nowMs: number, windowMs?: number): GcraDecision => {
      const { decision, state } = gcra(nowMs, tats.get(keyId), limitPerMinute, windowMs)
      if (state && decision.allowed) {
        // Re-insert so Map order is least recently allowed first.
        tats.delete(keyId)
        if (tats.size >= maxKeys) sweep(nowMs)
        tats.set(keyId, state)
      }
      return decision
    },
    size: () => tats.size,
  }
}

/**
 * Backoff states, bounded like the GCRA table: forgotten states are swept
 * first, then the least recently counted (an attacker would need that many
 * distinct keys, each an argon2 verification, to push a lock out).
 */
export const memoryBackoff = (maxKeys = MEMORY_MAX_KEYS): BackoffStore & { readonly size: () => number } => {
  const states = new Map<string, BackoffState>()
  const sweep = (nowMs: number) => {
    for (const [key, state] of states) if (state.forgetAtUs <= nowMs * 1000) states.delete(key)
    for (const key of states.keys()) {
      if (states.size < maxKeys) break
      states.delete(key)
    }
  }
  return {
    attempt: (key: string, rule: BackoffRule, nowMs: number) =>
      Effect.sync(() => {
        const { decision, state } = backoff(nowMs, states.get(key), rule)
        if (decision.allowed && state) {
          states.delete(key)
          if (states.size >= maxKeys) sweep(nowMs)
          states.set(key, state)
        }
        return decision
      }),
    wait: (key: string, rule: BackoffRule, nowMs: number) => Effect.sync(() => backoffWait(nowMs, states.get(key), rule)),
    clear: (key: string) => Effect.sync(() => void states.delete(key)),
    size: () => states.size,
  }
}

/** Leases per key; expired ones are dropped whenever their key is touched. */
export const memoryLeases = (): LeaseStore => {
  const byKey = new Map<string, Map<string, number>>()
  const live = (keyId: string, nowMs: number) => {
    const leases = byKey.get(keyId)
    if (!leases) return undefined
    for (const [id, expiresAt] of leases) if (expiresAt <= nowMs) leases.delete(id)
    if (leases.size === 0) byKey.delete(keyId)
    return leases.size === 0 ? undefined : leases
  }
  return {
    backend: "memory",
    tryAcquire: (lease: Lease, limit: number, nowMs: number) =>
      Effect.sync(() => {
        const leases = live(lease.keyId, nowMs) ?? new Map<string, number>()
        if (leases.size >= limit) return false
        leases.set(lease.leaseId, lease.expiresAt)
        byKey.set(lease.keyId, leases)
        return true
      }),
    release: (lease: Lease) =>
      Effect.sync(() => {
        const leases = byKey.get(lease.keyId)
        leases?.delete(lease.leaseId)
        if (leases?.size === 0) byKey.delete(lease.keyId)
      }),
    inFlight: (keyId: string, nowMs: number) => Effect.sync(() => live(keyId, nowMs)?.size ?? 0),
  }
}

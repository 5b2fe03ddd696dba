// Decrypted wallet secrets, bounded in time (ttl, ms) and in count (LRU). A
// secret leaving the cache, for whatever reason, is zeroed first. The native
// KeyObject beside it cannot be wiped from JavaScript; dropping the reference
// lets BoringSSL free it on collection (see docs/ARCHITECTURE.md).
import type { KeyObject } from "node:crypto"

export type CachedSecret = {
  /** The 64-byte Solana secret; zeroed on eviction. */
  readonly secret: Uint8Array
  readonly key: KeyObject
  readonly publicKey: string
  readonly expiresAt: number
}

export class SecretCache {
  // Map iteration order is insertion order: re-inserting on a hit makes the
  // first entry the least recently used.
  private readonly entries = new Map<string, CachedSecret>()

  constructor(readonly ttlMs: number, readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size
  }

  get(id: string, now: number): CachedSecret | undefined {
    const e = this.entries.get(id)
    if (!e) return undefined
    if (e.expiresAt <= now) {
      this.evict(id)
      return undefined
    }
    this.entries.delete(id)
    this.entries.set(id, e)
    return e
  }

  /** Caches a secret the cache now owns (it will wipe it). Returns false, wiping nothing, when caching is off. */
  set(id: string, secret: Uint8Array, key: KeyObject, publicKey: string, now: number): boolean {
    if (this.ttlMs <= 0 || this.maxEntries <= 0) return false
    this.evict(id)
    this.sweep(now)
    while (this.entries.size >= this.maxEntries) this.evict(this.entries.keys().next().value as string)
    this.entries.set(id, { secret, key, publicKey, expiresAt: now + this.ttlMs })
    return true
  }

  /** Drops and wipes every expired entry; returns how many. */
  sweep(now: number): number {
    let n = 0
    for (const [id, e] of this.entries) {
      if (e.expiresAt <= now) {
        this.evict(id)
        n++
      }
    }
    return n
  }

  evict(id: string): void {
    const e = this.entries.get(id)
    if (!e) return
    e.secret.fill(0)
    this.entries.delete(id)
  }

  clear(): void {
    for (const id of [...this.entries.keys()]) this.evict(id)
  }

  /** The live entry, for tests that check wiping; never exposed through a service. */
  peek(id: string): CachedSecret | undefined {
    return this.entries.get(id)
  }
}

// Shared-engine backends on Redis through Bun's built-in client. Each check or
// acquire is ONE Lua script (EVALSHA, falling back to EVAL when the server
// has not cached it), so it is atomic across instances; keys carry a TTL so
// idle keys and a crashed instance's leases disappear on their own.
import { RedisClient } from "bun"
import { Effect } from "effect"
import { attemptBackend } from "./attempt"
import type { LimiterUnavailable } from "./errors"
import { backoffWait, MAX_DOUBLINGS, type BackoffRule } from "./backoff"
import { describe, gcraParams, type GcraDecision } from "./gcra"
import type { Admit, BackoffStore, Lease, LeaseStore } from "./model"

export type RedisLink = {
  /** Runs a script atomically; `keys` then `args`, all strings. */
  readonly script: (operation: string, source: Script, keys: ReadonlyArray<string>, args: ReadonlyArray<string>) => Effect.Effect<unknown, LimiterUnavailable>
  readonly send: (operation: string, command: string, args: ReadonlyArray<string>) => Effect.Effect<unknown, LimiterUnavailable>
  readonly close: () => void
}

export type Script = { readonly source: string; readonly sha: string }

const script = (source: string): Script => ({ source, sha: new Bun.CryptoHasher("sha1").update(source).digest("hex") })

/**
 * Commands fail at once while disconnected (no offline queue, no background
 * reconnect loop that would hold a request for seconds); the next command
 * reconnects, so the limiter recovers as soon as Redis is back.
 */
export const openRedis = (url: string, timeoutMs: number): RedisLink => {
  const client = new RedisClient(url, { enableOfflineQueue: false, autoReconnect: false, connectionTimeout: timeoutMs })
  let connecting: Promise<void> | undefined
  const ready = async () => {
    if (client.connected) return
    connecting ??= client.connect().finally(() => {
      connecting = undefined
    })
    await connecting
  }
  const send = (operation: string, command: string, args: ReadonlyArray<string>) =>
    attemptBackend("redis", operation, timeoutMs, async () => {
      await ready()
      return client.send(command, [...args])
    })
  return {
    send,
    script: (operation, s, keys, args) =>
      attemptBackend("redis", operation, timeoutMs, async () => {
        await ready()
        const argv = [String(keys.length), ...keys, ...args]
        try {
          return await client.send("EVALSHA", [s.sha, ...argv])
        } catch (e) {
          if (!String((e as Error).message).startsWith("NOSCRIPT")) throw e
          return client.send("EVAL", [s.source, ...argv])
        }
      }),
    close: () => client.close(),
  }
}

// The two steps every limiter script is made of, as Lua functions, so the
// rate check, the lease and the admission (both in one round trip) share one
// text of each. Numbers cross as strings formatted with %.0f: Lua's default
// number format keeps 14 digits, and a TAT in µs has 16.
const STEPS = `
local function gcra(key, now, interval, period)
  local tat = tonumber(redis.call('GET', key) or '0')
  if tat < now then tat = now end
  local nextTat = tat + interval
  if nextTat - period > now then return 0, tat end
  redis.call('SET', key, string.format('%.0f', nextTat), 'PX', math.ceil((nextTat - now) / 1000))
  return 1, nextTat
end
-- A sorted set of lease ids scored by expiry (epoch ms). The key lives as
-- long as its newest lease, so a crashed instance leaves nothing behind.
local function acquire(key, now, expiresAt, leaseId, limit)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if redis.call('ZCARD', key) >= tonumber(limit) then return 0 end
  redis.call('ZADD', key, expiresAt, leaseId)
  local ttl = tonumber(expiresAt) - tonumber(now)
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
  return 1
end
`

const gcraScript = script(`${STEPS}
local allowed, tat = gcra(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))
return {allowed, string.format('%.0f', tat)}
`)

export const redisGcra = (link: RedisLink, prefix: string) =>
  (keyId: string, limitPerMinute: number, nowMs: number, windowMs?: number): Effect.Effect<GcraDecision, LimiterUnavailable> => {
    const params = gcraParams(limitPerMinute, windowMs)
    return link
      .script("rate limit check", gcraScript, [`${prefix}rl:${keyId}`], [String(nowMs * 1000), String(params.intervalUs), String(params.periodUs)])
      .pipe(Effect.map((reply) => {
        const [allowed, tat] = reply as [number, string]
        return describe(nowMs, Number(tat), limitPerMinute, allowed === 1, params)
      }))
  }

// Backoff state as "attempts:forget time µs" under a key that expires at the
// forget time (backoff.ts). Returns {1, 0} when the attempt is counted, else
// {0, µs until the lock ends}; a refusal writes nothing.
const backoffScript = script(`
local now = tonumber(ARGV[1])
local free = tonumber(ARGV[2])
local base = tonumber(ARGV[3])
local max = tonumber(ARGV[4])
local forget = tonumber(ARGV[5])
local doublings = tonumber(ARGV[6])
local attempts, forgetAt = 0, 0
local stored = redis.call('GET', KEYS[1])
if stored then
  local a, f = string.match(stored, '^(%d+):(%d+)$')
  attempts, forgetAt = tonumber(a), tonumber(f)
end
if forgetAt <= now then attempts = 0 end
if attempts >= free and forgetAt - forget > now then return {0, string.format('%.0f', forgetAt - forget - now)} end
attempts = attempts + 1
local lock = 0
if attempts >= free then lock = math.min(max, base * 2 ^ math.min(attempts - free, doublings)) end
local nextForget = now + lock + forget
redis.call('SET', KEYS[1], string.format('%d:%.0f', attempts, nextForget), 'PX', math.ceil((nextForget - now) / 1000))
return {1, '0'}
`)

export const redisBackoff = (link: RedisLink, prefix: string): BackoffStore => {
  const key = (k: string) => `${prefix}bo:${k}`
  const us = (ms: number) => String(ms * 1000)
  return {
    attempt: (k: string, rule: BackoffRule, nowMs: number) =>
      link
        .script("backoff attempt", backoffScript, [key(k)], [us(nowMs), String(rule.free), us(rule.baseMs), us(rule.maxMs), us(rule.forgetMs), String(MAX_DOUBLINGS)])
        .pipe(Effect.map((reply) => {
          const [allowed, waitUs] = reply as [number, string]
          return allowed === 1 ? { allowed: true, retryAfterMs: 0 } : { allowed: false, retryAfterMs: Math.max(1, Math.ceil(Number(waitUs) / 1000)) }
        })),
    wait: (k: string, rule: BackoffRule, nowMs: number) =>
      link.send("backoff read", "GET", [key(k)]).pipe(Effect.map((stored) => {
        const m = typeof stored === "string" ? /^(\d+):(\d+)$/.exec(stored) : null
        return backoffWait(nowMs, m ? { attempts: Number(m[1]), forgetAtUs: Number(m[2]) } : undefined, rule)
      })),
    clear: (k: string) => link.send("backoff clear", "DEL", [key(k)]).pipe(Effect.asVoid),
  }
}

const acquireScript = script(`${STEPS}
return acquire(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4])
`)

// The rate step and, only when it allows, the lease, so a call is admitted
// in one round trip. Its two keys hash to
// different slots, which a Redis Cluster would refuse; Bun's client speaks to
// one server, as the limiter does.
const admitScript = script(`${STEPS}
local allowed, tat = gcra(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))
if allowed == 0 then return {0, string.format('%.0f', tat), 0} end
return {1, string.format('%.0f', tat), acquire(KEYS[2], ARGV[4], ARGV[5], ARGV[6], ARGV[7])}
`)

export const redisAdmit = (link: RedisLink, prefix: string): Admit =>
  (keyId, limitPerMinute, lease, concurrency, nowMs) => {
    const params = gcraParams(limitPerMinute)
    return link
      .script("admit", admitScript, [`${prefix}rl:${keyId}`, `${prefix}cc:${keyId}`], [
        String(nowMs * 1000), String(params.intervalUs), String(params.periodUs),
        String(nowMs), String(lease.expiresAt), lease.leaseId, String(concurrency),
      ])
      .pipe(Effect.map((reply) => {
        const [allowed, tat, granted] = reply as [number, string, number]
        return { rate: describe(nowMs, Number(tat), limitPerMinute, allowed === 1, params), granted: granted === 1 }
      }))
  }

export const redisLeases = (link: RedisLink, prefix: string): LeaseStore => {
  const key = (keyId: string) => `${prefix}cc:${keyId}`
  return {
    backend: "redis",
    tryAcquire: (lease: Lease, limit: number, nowMs: number) =>
      link
        .script("concurrency acquire", acquireScript, [key(lease.keyId)], [String(nowMs), String(lease.expiresAt), lease.leaseId, String(limit)])
        .pipe(Effect.map((reply) => Number(reply) === 1)),
    release: (lease: Lease) => link.send("concurrency release", "ZREM", [key(lease.keyId), lease.leaseId]).pipe(Effect.asVoid),
    inFlight: (keyId: string, nowMs: number) =>
      link.send("concurrency count", "ZCOUNT", [key(keyId), `(${nowMs}`, "+inf"]).pipe(Effect.map(Number)),
  }
}

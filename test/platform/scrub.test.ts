// Backend and RPC errors are scrubbed of the URLs they were built from: those
// URLs can carry a password (REDIS_URL, DATABASE_URL) or an API key (RPC).
// Real drivers rarely put the URL in the message, so the rule is tested here
// directly with messages that do.
import { expect, test } from "bun:test"
import { reasonOf } from "../../src/modules/limits/attempt"
import { upstreamText } from "../../src/modules/marketplace/sanitize"

test("a limiter backend error never carries the connection URL or its password", () => {
  const reason = reasonOf(Object.assign(new Error("connect failed to redis://:pw-hunter2@10.0.0.5:6379/0 after 3 tries"), { code: "ECONNREFUSED" }))
  expect(reason).not.toContain("pw-hunter2")
  expect(reason).not.toContain("redis://")
  expect(reason).toContain("ECONNREFUSED")
  expect(reasonOf(new Error("password authentication failed for postgres://tdk:s3cret@db:5432/tdk"))).not.toContain("s3cret")
})

test("an RPC error never carries the RPC URL or the key in it", () => {
  const rpc = "https://rpc.example.com/?api-key=rpc-key-123456"
  const text = upstreamText(`request to ${rpc} failed, reason: socket hang up`, [rpc])
  expect(text).not.toContain("rpc-key-123456")
  expect(text).toContain("socket hang up")
  // Also when the message spells the URL differently from the configured one.
  expect(upstreamText("fetch failed: https://user:pw-9@rpc.example.com/x", [rpc])).not.toContain("pw-9")
})

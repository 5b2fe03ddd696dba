// One agent call, top to bottom:
// authenticate → network (the key's environment) → card check (REQUIRE_CARD_FOR_FREE, live keys)
// → resolve agent → idempotency → rate limit → concurrency slot
// → quota → price → wallet → build → signing policy → sign and submit
// → settle → respond. The paid part is in paid-call.ts.
import { Effect } from "effect"
import { idempotent, requestHash } from "./idempotency"
import { requestIdOf } from "../../platform/http/request-id"
import { ApiKeys } from "../keys/verifier"
import { withConcurrencySlot } from "../limits/concurrency"
import { rateLimitHeaders } from "../limits/headers"
import { enforceRateLimit } from "../limits/rate-limiter"
import type { AgentDirectoryShape } from "../network/agents"
import { networkFor } from "../network/service"
import { callAgent } from "./paid-call"
import { requireCardIfConfigured } from "./steps/card"

/** Which agent the request names, on the directory of the key's network. */
export type AgentChoice<E> = (directory: AgentDirectoryShape) => Effect.Effect<string, E>

export const agentCallPipeline = <E>(request: Request, chooseAgent: AgentChoice<E>, input: Record<string, unknown>) =>
  Effect.gen(function* () {
    const keys = yield* ApiKeys
    const identity = yield* keys.authenticate(request.headers.get("authorization"))
    const network = yield* networkFor(identity.environment)
    yield* requireCardIfConfigured(identity)
    const agentId = yield* chooseAgent(network.directory)
    const requestId = requestIdOf(request)
    const idempotencyKey = request.headers.get("idempotency-key")
    return yield* idempotent(
      identity.keyId,
      idempotencyKey,
      () => requestHash("POST", agentId, JSON.stringify(input)),
      requestId,
      Effect.gen(function* () {
        const decision = yield* enforceRateLimit(identity.keyId, identity.limits.ratePerMinute)
        const body = yield* withConcurrencySlot(
          identity.keyId,
          identity.limits.concurrency,
          callAgent(identity, network, agentId, input, { requestId, idempotencyKey: idempotencyKey ?? undefined }),
        )
        return { status: 200, body, headers: rateLimitHeaders(decision) }
      }),
    )
  })

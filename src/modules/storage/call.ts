// A typed storage operation is an ordinary agent call: the same pipeline
// (authentication, idempotency, rate and concurrency limits, quota, payment,
// billing) runs with the configured storage agent and the mapped input; the
// pipeline injects the key's namespace as input.wallet.
import { Effect } from "effect"
import type { TObject } from "@sinclair/typebox"
import { agentCallPipeline } from "../gateway/pipeline"
import { storageAgentId, type StorageFeature } from "./agents"
import { refuseUnknownFields } from "./strict-body"

export const storageCall = (request: Request, feature: StorageFeature, body: TObject, input: Record<string, unknown>) =>
  Effect.gen(function* () {
    yield* refuseUnknownFields(request, body)
    return yield* agentCallPipeline(request, (directory) => storageAgentId(directory, feature), input)
  })

/** Drops fields the caller left out, so the agent sees exactly what was sent. */
export const defined = (input: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined))

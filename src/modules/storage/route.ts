// One typed storage route: a POST whose JSON body its schema checks, turned
// into the storage agent's input and paid like any agent call (storageCall),
// documented with the storage call's failures and the body's.
import type { Static, TObject } from "@sinclair/typebox"
import { Effect } from "effect"
import { Elysia } from "elysia"
import type { InvalidInput } from "../../platform/http/errors"
import type { Respond } from "../../platform/http/respond"
import type { StorageFeature } from "./agents"
import { storageCall } from "./call"
import { storageCallFailures } from "./failures"
import { StorageHeaders, storageResponses } from "./model"
import { security } from "../../platform/http/security"

export type StorageRouteSpec<B extends TObject> = {
  readonly path: string
  readonly feature: StorageFeature
  readonly body: B
  /** The agent's input from the checked body; it may refuse (a value too long to store). */
  readonly input: (body: Static<B>) => Record<string, unknown> | Effect.Effect<Record<string, unknown>, InvalidInput>
  readonly operationId: string
  readonly summary: string
}

export const storageRoute = <B extends TObject>(respond: Respond, spec: StorageRouteSpec<B>) =>
  new Elysia().post(
    spec.path,
    ({ request, body }) => {
      const input = spec.input(body as Static<B>)
      return respond(request, storageCallFailures, Effect.flatMap(Effect.isEffect(input) ? input : Effect.succeed(input), (i) => storageCall(request, spec.feature, spec.body, i)))
    },
    { parse: "json", body: spec.body, headers: StorageHeaders, response: storageResponses(respond), detail: { security: security.apiKey, operationId: spec.operationId, tags: ["storage"], summary: spec.summary } },
  )

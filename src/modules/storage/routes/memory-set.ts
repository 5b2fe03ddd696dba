import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { storageCall } from "../call"
import { storageCallFailures } from "../failures"
import { encodeValue } from "../memory-value"
import { MemoryKey, StorageHeaders, storageResponses } from "../model"

const Body = t.Object({
  key: MemoryKey,
  value: t.Union([t.String(), t.Number(), t.Boolean(), t.Array(t.Unknown()), t.Record(t.String(), t.Unknown())], {
    description: "A string, stored as is, or any other JSON value, stored JSON-encoded (at most 10,000 characters either way)",
  }),
})

export const memorySetRoute = (respond: Respond) =>
  new Elysia().post(
    "/v1/memory/set",
    ({ request, body }) =>
      respond(request, storageCallFailures, Effect.flatMap(encodeValue(body.value), (value) => storageCall(request, "memory", Body, { action: "store", key: body.key, value }))),
    {
      body: Body,
      headers: StorageHeaders,
      response: storageResponses(respond),
      detail: { operationId: "memorySet", tags: ["storage"], summary: "Store a value under a key in your key's own memory (a paid WarmMemory call)" },
    },
  )

import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { storageCall } from "../call"
import { storageCallFailures } from "../failures"
import { MemoryKey, StorageHeaders, storageResponses } from "../model"

const Body = t.Object({ key: MemoryKey })

export const memoryGetRoute = (respond: Respond) =>
  new Elysia().post("/v1/memory/get", ({ request, body }) => respond(request, storageCallFailures, storageCall(request, "memory", Body, { action: "retrieve", key: body.key })), {
    body: Body,
    headers: StorageHeaders,
    response: storageResponses(respond),
    detail: { operationId: "memoryGet", tags: ["storage"], summary: "Read a key from your memory; output has `exists` and `value` (a paid WarmMemory call)" },
  })

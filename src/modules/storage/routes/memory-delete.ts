import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { storageCall } from "../call"
import { storageCallFailures } from "../failures"
import { MemoryKey, StorageHeaders, storageResponses } from "../model"

const Body = t.Object({ key: MemoryKey })

export const memoryDeleteRoute = (respond: Respond) =>
  new Elysia().post("/v1/memory/delete", ({ request, body }) => respond(request, storageCallFailures, storageCall(request, "memory", Body, { action: "delete", key: body.key })), {
    body: Body,
    headers: StorageHeaders,
    response: storageResponses(respond),
    detail: { operationId: "memoryDelete", tags: ["storage"], summary: "Delete a key from your memory; output has `deleted` (a paid WarmMemory call)" },
  })

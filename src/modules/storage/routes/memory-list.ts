import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { defined, storageCall } from "../call"
import { storageCallFailures } from "../failures"
import { StorageHeaders, storageResponses } from "../model"

const Body = t.Object({
  prefix: t.Optional(t.String({ maxLength: 256, description: "Only keys starting with this" })),
  limit: t.Optional(t.Integer({ minimum: 1, maximum: 100, description: "Entries per page (1–100; the agent's default is 50)" })),
  cursor: t.Optional(t.String({ minLength: 1, maxLength: 256, description: "`next_cursor` of the previous page" })),
})

export const memoryListRoute = (respond: Respond) =>
  new Elysia().post(
    "/v1/memory/list",
    ({ request, body }) => respond(request, storageCallFailures, storageCall(request, "memory", Body, defined({ action: "list", prefix: body?.prefix, limit: body?.limit, cursor: body?.cursor }))),
    {
      body: Body,
      headers: StorageHeaders,
      response: storageResponses(respond),
      detail: { operationId: "memoryList", tags: ["storage"], summary: "List your memory's entries, by key, a page at a time (a paid WarmMemory call)" },
    },
  )

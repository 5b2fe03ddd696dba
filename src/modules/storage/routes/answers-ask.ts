import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { storageCall } from "../call"
import { storageCallFailures } from "../failures"
import { Question, StorageHeaders, storageResponses } from "../model"

const Body = t.Object({ question: Question })

export const answersAskRoute = (respond: Respond) =>
  new Elysia().post("/v1/answers/ask", ({ request, body }) => respond(request, storageCallFailures, storageCall(request, "answers", Body, { action: "ask", question: body.question })), {
    body: Body,
    headers: StorageHeaders,
    response: storageResponses(respond),
    detail: { operationId: "answersAsk", tags: ["storage"], summary: "Ask a question; the closest taught answer with its confidence (a paid WarmAnswers call)" },
  })

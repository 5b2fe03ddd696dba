import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { storageCall } from "../call"
import { Question, StorageHeaders, storageResponses } from "../model"

const Body = t.Object({ question: Question })

export const answersForgetRoute = (respond: Respond) =>
  new Elysia().post("/v1/answers/forget", ({ request, body }) => respond(request, storageCall(request, "answers", Body, { action: "forget", question: body.question })), {
    body: Body,
    headers: StorageHeaders,
    response: storageResponses,
    detail: { operationId: "answersForget", tags: ["storage"], summary: "Forget a taught question (a paid WarmAnswers call)" },
  })

import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { storageCall } from "../call"
import { storageCallFailures } from "../failures"
import { Question, StorageHeaders, storageResponses } from "../model"

const Body = t.Object({ question: Question })

export const answersForgetRoute = (respond: Respond) =>
  new Elysia().post("/v1/answers/forget", ({ request, body }) => respond(request, storageCallFailures, storageCall(request, "answers", Body, { action: "forget", question: body.question })), {
    body: Body,
    headers: StorageHeaders,
    response: storageResponses(respond),
    detail: { operationId: "answersForget", tags: ["storage"], summary: "Forget a taught question (a paid WarmAnswers call)" },
  })

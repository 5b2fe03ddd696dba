import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { defined, storageCall } from "../call"
import { storageCallFailures } from "../failures"
import { Answer, Question, StorageHeaders, storageResponses, Tags } from "../model"

const Body = t.Object({ question: Question, answer: Answer, tags: t.Optional(Tags) })

export const answersUpdateRoute = (respond: Respond) =>
  new Elysia().post(
    "/v1/answers/update",
    ({ request, body }) => respond(request, storageCallFailures, storageCall(request, "answers", Body, defined({ action: "update", question: body.question, answer: body.answer, tags: body.tags }))),
    {
      body: Body,
      headers: StorageHeaders,
      response: storageResponses(respond),
      detail: { operationId: "answersUpdate", tags: ["storage"], summary: "Replace the answer to a taught question (a paid WarmAnswers call)" },
    },
  )

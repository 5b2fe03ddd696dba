import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { defined, storageCall } from "../call"
import { storageCallFailures } from "../failures"
import { Answer, Question, StorageHeaders, storageResponses, Tags } from "../model"

const Body = t.Object({ question: Question, answer: Answer, tags: t.Optional(Tags) })

export const answersTeachRoute = (respond: Respond) =>
  new Elysia().post(
    "/v1/answers/teach",
    ({ request, body }) => respond(request, storageCallFailures, storageCall(request, "answers", Body, defined({ action: "teach", question: body.question, answer: body.answer, tags: body.tags }))),
    {
      body: Body,
      headers: StorageHeaders,
      response: storageResponses(respond),
      detail: { operationId: "answersTeach", tags: ["storage"], summary: "Teach an answer to a question (a paid WarmAnswers call)" },
    },
  )

// The typed storage routes: each a storage agent's operation with its own
// body schema, mounted together (storageRoute in ../route.ts does the rest).
import { Effect } from "effect"
import { Elysia, t } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { defined } from "../call"
import { encodeValue } from "../memory-value"
import { Answer, MemoryKey, Question, Tags } from "../model"
import { storageRoute } from "../route"

const QuestionBody = t.Object({ question: Question })
const TaughtBody = t.Object({ question: Question, answer: Answer, tags: t.Optional(Tags) })
const KeyBody = t.Object({ key: MemoryKey })

export const storageRoutes = (respond: Respond) =>
  new Elysia()
    .use(
      storageRoute(respond, {
        path: "/v1/memory/set",
        feature: "memory",
        body: t.Object({
          key: MemoryKey,
          value: t.Union([t.String(), t.Number(), t.Boolean(), t.Array(t.Unknown()), t.Record(t.String(), t.Unknown())], {
            description: "A string, stored as is, or any other JSON value, stored JSON-encoded (at most 10,000 characters either way)",
          }),
        }),
        input: (body) => Effect.map(encodeValue(body.value), (value) => ({ action: "store", key: body.key, value })),
        operationId: "memorySet",
        summary: "Store a value under a key in your key's own memory (a paid WarmMemory call)",
      }),
    )
    .use(
      storageRoute(respond, {
        path: "/v1/memory/get",
        feature: "memory",
        body: KeyBody,
        input: (body) => ({ action: "retrieve", key: body.key }),
        operationId: "memoryGet",
        summary: "Read a key from your memory; output has `exists` and `value` (a paid WarmMemory call)",
      }),
    )
    .use(
      storageRoute(respond, {
        path: "/v1/memory/list",
        feature: "memory",
        body: t.Object({
          prefix: t.Optional(t.String({ maxLength: 256, description: "Only keys starting with this" })),
          limit: t.Optional(t.Integer({ minimum: 1, maximum: 100, description: "Entries per page (1–100; the agent's default is 50)" })),
          cursor: t.Optional(t.String({ minLength: 1, maxLength: 256, description: "`next_cursor` of the previous page" })),
        }),
        input: (body) => defined({ action: "list", prefix: body?.prefix, limit: body?.limit, cursor: body?.cursor }),
        operationId: "memoryList",
        summary: "List your memory's entries, by key, a page at a time (a paid WarmMemory call)",
      }),
    )
    .use(
      storageRoute(respond, {
        path: "/v1/memory/delete",
        feature: "memory",
        body: KeyBody,
        input: (body) => ({ action: "delete", key: body.key }),
        operationId: "memoryDelete",
        summary: "Delete a key from your memory; output has `deleted` (a paid WarmMemory call)",
      }),
    )
    .use(
      storageRoute(respond, {
        path: "/v1/answers/teach",
        feature: "answers",
        body: TaughtBody,
        input: (body) => defined({ action: "teach", question: body.question, answer: body.answer, tags: body.tags }),
        operationId: "answersTeach",
        summary: "Teach an answer to a question (a paid WarmAnswers call)",
      }),
    )
    .use(
      storageRoute(respond, {
        path: "/v1/answers/ask",
        feature: "answers",
        body: QuestionBody,
        input: (body) => ({ action: "ask", question: body.question }),
        operationId: "answersAsk",
        summary: "Ask a question; the closest taught answer with its confidence (a paid WarmAnswers call)",
      }),
    )
    .use(
      storageRoute(respond, {
        path: "/v1/answers/update",
        feature: "answers",
        body: TaughtBody,
        input: (body) => defined({ action: "update", question: body.question, answer: body.answer, tags: body.tags }),
        operationId: "answersUpdate",
        summary: "Replace the answer to a taught question (a paid WarmAnswers call)",
      }),
    )
    .use(
      storageRoute(respond, {
        path: "/v1/answers/forget",
        feature: "answers",
        body: QuestionBody,
        input: (body) => ({ action: "forget", question: body.question }),
        operationId: "answersForget",
        summary: "Forget a taught question (a paid WarmAnswers call)",
      }),
    )

// A WarmAnswers-like Q&A memory: teach answers, ask with a fuzzy match,
// update and forget. Entries live in the sandbox database per caller wallet
// and, when given, `input.wallet` (see agent-data.ts).
import { Type } from "@sinclair/typebox"
import { Effect } from "effect"
import { allData, dataNamespace, deleteData, getData, putData } from "../agent-data"
import { normalizeQuestion, similarity } from "./similarity"
import type { SampleAgent } from "./types"

/** Below this similarity an `ask` finds nothing. */
const MATCH_THRESHOLD = 0.5

const input = Type.Object(
  {
    action: Type.Union([Type.Literal("teach"), Type.Literal("ask"), Type.Literal("update"), Type.Literal("forget")]),
    question: Type.String({ minLength: 1, maxLength: 1000 }),
    answer: Type.Optional(Type.String({ minLength: 1, maxLength: 5000 })),
    tags: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 10 })),
    wallet: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  },
  { additionalProperties: false },
)

const output = Type.Object({
  success: Type.Boolean(),
  action: Type.String(),
  question: Type.String(),
  answer: Type.Optional(Type.String()),
  confidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  matched_question: Type.Optional(Type.String()),
  tags: Type.Optional(Type.Array(Type.String())),
  message: Type.Optional(Type.String()),
})

type Entry = { question: string; answer: string; tags: Array<string> }

export const warmAnswers: SampleAgent = {
  id: "b3f9d6e1-52a4-4c8b-8e07-6a1f2c9d4b58",
  slug: "warm-answers",
  name: "WarmAnswers (sandbox)",
  description: "Teach an agent answers and ask it questions later; fuzzy matching with a confidence score.",
  token: "USDC",
  priceBase: 10_000,
  input,
  output,
  examples: [
    { action: "teach", question: "What is our refund window?", answer: "30 days from delivery.", tags: ["policy"] },
    { action: "ask", question: "refund window?" },
  ],
  run: ({ input, tetto_context, db }) =>
    Effect.gen(function* () {
      const namespace = dataNamespace(tetto_context.caller_wallet, input.wallet)
      const id = tetto_context.current_agent_id
      const question = String(input.question)
      const key = normalizeQuestion(question)
      const now = tetto_context.timestamp
      const tags = Array.isArray(input.tags) ? (input.tags as Array<string>) : []
      switch (input.action) {
        case "teach":
        case "update": {
          if (typeof input.answer !== "string") return { success: false, action: String(input.action), question, message: "An answer is required to teach or update." }
          const existing = yield* getData(db, id, namespace, key)
          if (input.action === "update" && !existing) return { success: false, action: "update", question, message: "No such question has been taught." }
          const entry: Entry = { question, answer: input.answer, tags }
          yield* putData(db, id, namespace, key, JSON.stringify(entry), now)
          return { success: true, action: String(input.action), question, answer: input.answer, tags, message: input.action === "teach" ? "Learned" : "Updated" }
        }
        case "forget": {
          const deleted = yield* deleteData(db, id, namespace, key)
          return { success: deleted, action: "forget", question, message: deleted ? "Forgotten" : "No such question has been taught." }
        }
        default: {
          let best: { entry: Entry; score: number } | undefined
          for (const row of yield* allData(db, id, namespace)) {
            const entry = JSON.parse(row.value) as Entry
            const score = similarity(question, entry.question)
            if (!best || score > best.score) best = { entry, score }
          }
          if (!best || best.score < MATCH_THRESHOLD) return { success: true, action: "ask", question, confidence: best?.score ?? 0, message: "No answer found." }
          return { success: true, action: "ask", question, answer: best.entry.answer, confidence: best.score, matched_question: best.entry.question, tags: best.entry.tags }
        }
      }
    }),
}

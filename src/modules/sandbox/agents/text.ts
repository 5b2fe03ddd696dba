// Text agents with deterministic outputs, so tests can assert exact results.
import { Type } from "@sinclair/typebox"
import { AgentFailure, pure, type SampleAgent } from "./types"

const sentences = (text: string): Array<string> =>
  text
    .replace(/\s+/g, " ")
    .trim()
    .split(/(?<=[.!?])\s+/)
    .filter((s) => s.length > 0)

const titleCase = (w: string) => (w.length <= 3 && w !== w.toUpperCase() ? w.toLowerCase() : w[0]!.toUpperCase() + w.slice(1))

export const titleGenerator: SampleAgent = {
  id: "1e4a7b90-6c2d-4f35-b8a9-0d3e5f7a2c61",
  slug: "title-generator",
  name: "TitleGenerator (sandbox)",
  description: "Suggests a short title for a piece of text.",
  token: "USDC",
  priceBase: 10_000,
  input: Type.Object({ text: Type.String({ minLength: 1, maxLength: 20_000 }) }, { additionalProperties: false }),
  output: Type.Object({ title: Type.String(), words: Type.Integer() }),
  examples: [{ text: "Bun ships a fast SQLite driver. It runs inside the runtime." }],
  run: pure(({ input }) => {
    const first = sentences(String(input.text))[0] ?? ""
    const words = first.replace(/[.!?,;:]+$/g, "").split(" ").filter((w) => w.length > 0).slice(0, 8)
    if (words.length === 0) throw new AgentFailure("The text has no words to make a title from.")
    const title = words.map((w, i) => (i === 0 ? w[0]!.toUpperCase() + w.slice(1) : titleCase(w))).join(" ")
    return { title, words: words.length }
  }),
}

export const summarizer: SampleAgent = {
  id: "9d2c5e18-7a3b-4e6f-a150-4b8d1c3e9f27",
  slug: "summarizer",
  name: "Summarizer (sandbox)",
  description: "Summarises text into its leading sentences.",
  token: "USDC",
  priceBase: 20_000,
  input: Type.Object(
    { text: Type.String({ minLength: 1, maxLength: 50_000 }), max_sentences: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })) },
    { additionalProperties: false },
  ),
  output: Type.Object({ summary: Type.String(), sentences: Type.Integer(), original_sentences: Type.Integer() }),
  examples: [{ text: "First point. Second point. Third point.", max_sentences: 2 }],
  run: pure(({ input }) => {
    const all = sentences(String(input.text))
    const keep = all.slice(0, typeof input.max_sentences === "number" ? input.max_sentences : 2)
    return { summary: keep.join(" "), sentences: keep.length, original_sentences: all.length }
  }),
}

// A fixed table stands in for research: the point is a stable, checkable answer.
const facts: ReadonlyArray<{ pattern: RegExp; verdict: "true" | "false"; explanation: string }> = [
  { pattern: /water boils at 100/i, verdict: "true", explanation: "At sea-level pressure, water boils at 100 °C." },
  { pattern: /earth is flat/i, verdict: "false", explanation: "The Earth is an oblate spheroid." },
  { pattern: /solana.*(proof of history|poh)/i, verdict: "true", explanation: "Solana orders transactions with Proof of History." },
  { pattern: /usdc.*(6|six) decimals/i, verdict: "true", explanation: "USDC on Solana uses 6 decimals." },
  { pattern: /moon is made of cheese/i, verdict: "false", explanation: "The Moon is rock." },
]

export const factChecker: SampleAgent = {
  id: "4f8b1d27-9e6a-4c3d-b2f5-7a0e6c1d8b94",
  slug: "fact-checker",
  name: "FactChecker (sandbox)",
  description: "Checks a claim against a small reference table.",
  token: "USDC",
  priceBase: 30_000,
  input: Type.Object({ claim: Type.String({ minLength: 3, maxLength: 2000 }) }, { additionalProperties: false }),
  output: Type.Object({
    claim: Type.String(),
    verdict: Type.Union([Type.Literal("true"), Type.Literal("false"), Type.Literal("unverifiable")]),
    confidence: Type.Number({ minimum: 0, maximum: 1 }),
    explanation: Type.String(),
  }),
  examples: [{ claim: "Water boils at 100 degrees Celsius at sea level." }],
  run: pure(({ input }) => {
    const claim = String(input.claim)
    const hit = facts.find((f) => f.pattern.test(claim))
    return hit
      ? { claim, verdict: hit.verdict, confidence: 0.95, explanation: hit.explanation }
      : { claim, verdict: "unverifiable", confidence: 0, explanation: "No reference covers this claim." }
  }),
}

export const echoSol: SampleAgent = {
  id: "c6a3e9f4-1b7d-4a2e-9c58-3e0f7b2d6a15",
  slug: "echo-sol",
  name: "Echo (sandbox, priced in SOL)",
  description: "Repeats its text back; priced in SOL to exercise native transfers.",
  token: "SOL",
  priceBase: 100_000,
  input: Type.Object({ text: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
  output: Type.Object({ echo: Type.String(), length: Type.Integer() }),
  examples: [{ text: "hello" }],
  run: pure(({ input }) => ({ echo: String(input.text), length: [...String(input.text)].length })),
}

export const privateResearch: SampleAgent = {
  id: "e2d7b4a9-8c1f-4e63-a7b0-5f9c2e8d1a36",
  slug: "private-research",
  name: "PrivateResearch (sandbox)",
  description: "A private agent: only its owner's agents may call it, so direct calls are refused.",
  token: "USDC",
  priceBase: 10_000,
  isPrivate: true,
  input: Type.Object({ topic: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }),
  output: Type.Object({ report: Type.String() }),
  examples: [{ topic: "tokenomics" }],
  run: pure(({ input }) => ({ report: `Private notes on ${String(input.topic)}.` })),
}

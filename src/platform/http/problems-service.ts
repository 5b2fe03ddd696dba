// The app's problem map as a service: code below the app (the gateway's
// idempotency, respond) renders a typed failure without importing the app.
import { Context } from "effect"
import type { ProblemBody } from "./problem"

export type RenderedProblem = { readonly body: ProblemBody; readonly headers: Record<string, string> }

export type ProblemsShape = {
  /** The problem document of a known failure; undefined for anything else (a defect). */
  readonly render: (error: unknown, requestId: string) => RenderedProblem | undefined
  /** The status a failure with this tag answers with; undefined for a tag without a problem. */
  readonly statusOf: (tag: string) => number | undefined
}

export class Problems extends Context.Service<Problems, ProblemsShape>()("tdk/Problems") {}

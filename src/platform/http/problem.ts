// RFC 9457 problem documents: the only shape an error response takes.
import { t } from "elysia"

export type ProblemBody = {
  readonly type: string
  readonly title: string
  readonly status: number
  readonly detail: string
  readonly code: string
  readonly request_id: string
  readonly [extra: string]: unknown
}

export const problemType = (code: string) => `https://tdk.dev/problems/${code.replaceAll("_", "-")}`

export const problemResponse = (body: ProblemBody, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), {
    status: body.status,
    headers: { "content-type": "application/problem+json", "x-request-id": body.request_id, ...headers },
  })

/** OpenAPI schema of every error response. */
export const Problem = t.Object(
  {
    type: t.String({ description: "URI naming the kind of problem" }),
    title: t.String({ description: "Short summary of the kind of problem" }),
    status: t.Integer({ description: "HTTP status code" }),
    detail: t.String({ description: "What went wrong with this request" }),
    code: t.String({ description: "Stable snake_case error code" }),
    request_id: t.String({ description: "Id of this request, also in the X-Request-Id header" }),
  },
  { additionalProperties: true, description: "application/problem+json" },
)

/** Response schemas for a route: its success schema plus a problem for each listed status. */
export const withProblems = <S extends Record<number, unknown>>(success: S, statuses: ReadonlyArray<number>) => {
  const out: Record<number, unknown> = { ...success }
  for (const s of statuses) out[s] = Problem
  return out as S & Record<number, typeof Problem>
}

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

/** How one error becomes a problem document. */
export type ProblemSpec<E> = {
  readonly status: number
  readonly code: string
  readonly title: string
  readonly detail: (e: E) => string
  readonly extra?: (e: E) => Record<string, unknown>
  readonly headers?: (e: E) => Record<string, string>
}

/**
 * A module's problems: one spec per tag of its error union. Keyed by every
 * tag, so an error added to the union without a spec does not compile; the
 * module that owns an error owns its HTTP mapping.
 */
export type ProblemMap<E extends { readonly _tag: string }> = { readonly [K in E["_tag"]]: ProblemSpec<Extract<E, { readonly _tag: K }>> }

/** A spec in one line: status, code, title, detail, and optional extra members and headers. */
export const problem = <E>(
  status: number,
  code: string,
  title: string,
  detail: (e: E) => string,
  options: { readonly extra?: (e: E) => Record<string, unknown>; readonly headers?: (e: E) => Record<string, string> } = {},
): ProblemSpec<E> => ({ status, code, title, detail, ...options })

export const renderProblem = <E>(spec: ProblemSpec<E>, e: E, requestId: string): { body: ProblemBody; headers: Record<string, string> } => ({
  body: {
    type: problemType(spec.code),
    title: spec.title,
    status: spec.status,
    detail: spec.detail(e),
    code: spec.code,
    request_id: requestId,
    ...(spec.extra ? spec.extra(e) : {}),
  },
  headers: spec.headers ? spec.headers(e) : {},
})

/** The challenge a 401 for a missing or bad bearer credential carries. */
export const bearerChallenge = { "www-authenticate": 'Bearer realm="tdk"' }

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
  for (const s of [...new Set(statuses)].sort((a, b) => a - b)) out[s] = Problem
  return out as S & Record<number, typeof Problem>
}

// The problem documents of this module's errors. The edge's own failures: bodies, routes, input, the database.
// The map is keyed by every tag of the union, so an error without one does not compile.
import type { BodyTooLarge, InvalidInput, JsonTooDeep, MalformedJson, RouteNotFound, UnsupportedMediaType } from "./errors"
import type { StoreUnavailable } from "../db/errors"
import type { JobLeaseLost } from "../jobs/errors"
import { problem, renderProblem, type ProblemBody, type ProblemMap, type ProblemSpec } from "./problem"

/** Every failure of this module that can reach a response. */
export type PlatformFailure = MalformedJson | BodyTooLarge | JsonTooDeep | UnsupportedMediaType | RouteNotFound | InvalidInput | StoreUnavailable | JobLeaseLost

export const platformProblems: ProblemMap<PlatformFailure> = {
  MalformedJson: problem(400, "malformed_json", "Malformed JSON", (e) => `The request body is not valid JSON: ${e.reason}`),
  BodyTooLarge: problem(413, "body_too_large", "Request body too large", (e) => `The request body exceeds the limit of ${e.limitBytes} bytes.`, { extra: (e) => ({ limit_bytes: e.limitBytes }) }),
  JsonTooDeep: problem(400, "json_too_deep", "JSON nested too deeply", (e) => `The request body nests arrays and objects more than ${e.maxDepth} levels deep.`, { extra: (e) => ({ max_depth: e.maxDepth }) }),
  UnsupportedMediaType: problem(415, "unsupported_media_type", "Unsupported media type", (e) => `Send the body as application/json (got ${JSON.stringify(e.contentType.slice(0, 100))}).`),
  RouteNotFound: problem(404, "route_not_found", "Not found", (e) => `No route for ${e.method} ${e.path.slice(0, 200)}. The API is described at /docs.`),
  InvalidInput: problem(422, "invalid_input", "Invalid input", (e) => e.detail, { extra: (e) => ({ errors: e.errors }) }),
  StoreUnavailable: problem(503, "store_unavailable", "Database unavailable", () => "The database did not answer. Retry shortly.", { headers: () => ({ "retry-after": "5" }) }),
  JobLeaseLost: problem(503, "job_lease_lost", "Job stopped", (e) => `The ${e.job} run lost its lock to another run (this process was paused past its lease) and stopped before its next step. Look at what it reported, then run it again.`),
}

const isPlatformFailure = (e: unknown): e is PlatformFailure =>
  typeof e === "object" && e !== null && "_tag" in e && typeof e._tag === "string" && Object.hasOwn(platformProblems, e._tag)

/** The problem of an edge failure (body, route, input, database), or undefined for anything else. */
export const platformProblemOf = (e: unknown, requestId: string): { body: ProblemBody; headers: Record<string, string> } | undefined =>
  isPlatformFailure(e) ? renderProblem(platformProblems[e._tag] as ProblemSpec<PlatformFailure>, e, requestId) : undefined

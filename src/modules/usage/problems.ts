// The problem documents of this module's errors. The usage reads.
// The map is keyed by every tag of the union, so an error without one does not compile.
import { problem, type ProblemMap } from "../../platform/http/problem"
import type { UsageRequestNotFound } from "./errors"

/** Every failure of this module that can reach a response. */
export type UsageFailure = UsageRequestNotFound

export const usageProblems: ProblemMap<UsageFailure> = {
  // The id passed the route's pattern (request-id.ts's charset, at most 128), so echoing it is safe.
  UsageRequestNotFound: problem(404, "request_not_found", "Request not found", (e) => `No agent call with request id ${e.requestId} among the calls you can see.`),
}

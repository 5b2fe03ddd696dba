// The problem documents of this module's errors. The operator API.
// The map is keyed by every tag of the union, so an error without one does not compile.
import { bearerChallenge, problem, type ProblemMap } from "../../platform/http/problem"
import type { AdminUnauthorized, UserNotFound } from "./errors"

/** Every failure of this module that can reach a response. */
export type AdminFailure = AdminUnauthorized | UserNotFound

export const adminProblems: ProblemMap<AdminFailure> = {
  AdminUnauthorized: problem(401, "admin_unauthorized", "Admin token required", () => "Send the operator's admin token as `Authorization: Bearer <ADMIN_TOKEN>`.", { headers: () => bearerChallenge }),
  UserNotFound: problem(404, "user_not_found", "User not found", (e) => `No user ${e.userId.slice(0, 64)}.`),
}

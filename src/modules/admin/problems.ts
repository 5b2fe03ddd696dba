// The problem documents of this module's errors. The operator API.
// The map is keyed by every tag of the union, so an error without one does not compile.
import { bearerChallenge, type ProblemMap } from "../../platform/http/problem"
import type { AdminUnauthorized, UserNotFound } from "./errors"

/** Every failure of this module that can reach a response. */
export type AdminFailure = AdminUnauthorized | UserNotFound

export const adminProblems: ProblemMap<AdminFailure> = {
  AdminUnauthorized: {
    status: 401,
    code: "admin_unauthorized",
    title: "Admin token required",
    detail: () => "Send the operator's admin token as `Authorization: Bearer <ADMIN_TOKEN>`.",
    headers: () => bearerChallenge,
  },
  UserNotFound: {
    status: 404,
    code: "user_not_found",
    title: "User not found",
    detail: (e) => `No user ${e.userId.slice(0, 64)}.`,
  },
}

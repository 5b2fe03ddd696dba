import { problem, type ProblemMap } from "../../platform/http/problem"
import type { CatalogueUnavailable } from "./errors"

export type CatalogueFailure = CatalogueUnavailable

export const catalogueProblems: ProblemMap<CatalogueFailure> = {
  CatalogueUnavailable: problem(502, "catalogue_unavailable", "Agent catalogue unavailable", (e) => `The marketplace could not list its agents just now: ${e.reason}. Retry shortly.`, {
    headers: () => ({ "retry-after": "5" }),
  }),
}

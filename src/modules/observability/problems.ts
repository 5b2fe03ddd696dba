import { bearerChallenge, problem, type ProblemMap } from "../../platform/http/problem"
import type { MetricsUnauthorized } from "./errors"

export type ObservabilityFailure = MetricsUnauthorized

export const observabilityProblems: ProblemMap<ObservabilityFailure> = {
  MetricsUnauthorized: problem(401, "metrics_unauthorized", "Metrics token required", () => "Send the metrics token as `Authorization: Bearer <METRICS_TOKEN>`.", { headers: () => bearerChallenge }),
}

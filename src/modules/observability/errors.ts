import { Data } from "effect"

/** GET /metrics without METRICS_TOKEN as its bearer. */
export class MetricsUnauthorized extends Data.TaggedError("MetricsUnauthorized")<{}> {}

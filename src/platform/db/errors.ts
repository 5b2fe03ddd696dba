import { Data } from "effect"

/** The database did not answer; the request changed nothing we know of. */
export class StoreUnavailable extends Data.TaggedError("StoreUnavailable")<{ readonly cause: unknown }> {}

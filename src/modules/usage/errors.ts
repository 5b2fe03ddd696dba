import { Data } from "effect"

/**
 * No call with this request id among the calls the viewer may see. Another
 * user's call answers the same, so a request id never tells whether it exists.
 */
export class UsageRequestNotFound extends Data.TaggedError("UsageRequestNotFound")<{ readonly requestId: string }> {}

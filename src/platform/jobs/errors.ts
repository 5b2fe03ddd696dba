import { Data } from "effect"

/** A running job lost its lease to another run (its process was paused past it) and was stopped; run it again. */
export class JobLeaseLost extends Data.TaggedError("JobLeaseLost")<{ readonly job: string }> {}

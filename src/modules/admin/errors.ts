import { Data } from "effect"

export class AdminUnauthorized extends Data.TaggedError("AdminUnauthorized")<{}> {}
export class UserNotFound extends Data.TaggedError("UserNotFound")<{ readonly userId: string }> {}

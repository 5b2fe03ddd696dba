import { Data } from "effect"

export class ApiKeyMissing extends Data.TaggedError("ApiKeyMissing")<{}> {}
/** Not a key: wrong shape or checksum. Decided without touching the database. */
export class ApiKeyMalformed extends Data.TaggedError("ApiKeyMalformed")<{}> {}
export class ApiKeyUnknown extends Data.TaggedError("ApiKeyUnknown")<{}> {}
export class KeyRevoked extends Data.TaggedError("KeyRevoked")<{}> {}
export class KeyExpired extends Data.TaggedError("KeyExpired")<{}> {}
export class KeySuspended extends Data.TaggedError("KeySuspended")<{ readonly reason: string }> {}
export class KeyNotFound extends Data.TaggedError("KeyNotFound")<{ readonly keyId: string }> {}

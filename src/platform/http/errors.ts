// Failures of the HTTP edge and of infrastructure shared by every module.
import { Data } from "effect"

export class MalformedJson extends Data.TaggedError("MalformedJson")<{ readonly reason: string }> {}

export class BodyTooLarge extends Data.TaggedError("BodyTooLarge")<{ readonly limitBytes: number }> {}

/** Arrays and objects nested deeper than any real input: refused before parsing, because validating and serializing them costs time quadratic in the depth. */
export class JsonTooDeep extends Data.TaggedError("JsonTooDeep")<{ readonly maxDepth: number }> {}

export class UnsupportedMediaType extends Data.TaggedError("UnsupportedMediaType")<{ readonly contentType: string }> {}

export class RouteNotFound extends Data.TaggedError("RouteNotFound")<{ readonly method: string; readonly path: string }> {}

export type FieldProblem = { readonly field: string; readonly message: string }

/** Input that parsed but does not satisfy the operation's rules. */
export class InvalidInput extends Data.TaggedError("InvalidInput")<{
  readonly detail: string
  readonly errors: ReadonlyArray<FieldProblem>
}> {}

/** A query string's problems, every one named, as one InvalidInput. */
export const invalidQuery = (errors: ReadonlyArray<FieldProblem>) => new InvalidInput({ detail: `Invalid query: ${errors.map((e) => `${e.field} ${e.message}`).join("; ")}`, errors })

// A program's failures as a value, so a route can document the statuses it
// answers with from its program's error type. `failuresOf<E>()` takes the tags
// of E, each listed once: the compiler refuses a list that misses a tag of E
// or names one E cannot fail with. `respond` then refuses a program whose
// error type is not covered by the failures it is given, and `documented`
// turns those failures into the route's OpenAPI problem statuses. A module
// writes the failures of each of its steps once, beside the step; routes
// compose them.
export type Tagged = { readonly _tag: string }

/** The tags of E as a value; a foreign tag does not compile, and a missing one asks for a second argument naming it. */
export const failuresOf =
  <E extends Tagged>() =>
  <const T extends ReadonlyArray<E["_tag"]>>(
    tags: T,
    ..._complete: [Exclude<E["_tag"], T[number]>] extends [never] ? [] : [missing: Exclude<E["_tag"], T[number]>]
  ): ReadonlyArray<E["_tag"]> =>
    tags

/** What Elysia's parsing of a JSON body can answer with, before any program runs. */
export const bodyFailures = ["MalformedJson", "JsonTooDeep", "BodyTooLarge", "UnsupportedMediaType", "InvalidInput"] as const

/** What Elysia's validation of path and query parameters can answer with. */
export const inputFailures = ["InvalidInput"] as const

/** The failures a route documents: its program's, and those of its body and parameters. */
export const allOf = <const G extends ReadonlyArray<ReadonlyArray<string>>>(...groups: G): ReadonlyArray<G[number][number]> => [...new Set(groups.flat())] as Array<G[number][number]>

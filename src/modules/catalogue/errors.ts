import { Data } from "effect"

/** The marketplace could not give the catalogue now (unreachable, timed out, refused, unreadable). */
export class CatalogueUnavailable extends Data.TaggedError("CatalogueUnavailable")<{
  readonly reason: string
}> {}

// Cursor pagination shared by the admin listings: ids sort by creation, so
// the last id of a full page is the cursor of the next one.
import { Effect } from "effect"
import { t } from "elysia"

/** The query every admin listing takes: a page size up to `maximum` (default 100) and the cursor. */
export const pageQuery = (maximum: number) =>
  t.Object({
    limit: t.Optional(t.Integer({ minimum: 1, maximum, description: "Page size (default 100)" })),
    after: t.Optional(t.String({ maxLength: 64, description: "Cursor: the last id of the previous page" })),
  })

export const NextCursor = t.Union([t.String(), t.Null()], { description: "Cursor for the next page (pass as `after`), null at the end" })

export const nextCursor = (rows: ReadonlyArray<{ readonly id: string }>, limit: number): string | null =>
  rows.length === limit && rows.length > 0 ? rows[rows.length - 1]!.id : null

/** One page of a listing under `field`: rows read after the cursor (100 by default), each shown by `show`, and the next cursor. */
export const pageOf = <K extends string, Row extends { readonly id: string }, Shown, E, R>(
  field: K,
  query: { readonly limit?: number | undefined; readonly after?: string | undefined },
  read: (limit: number, after: string | undefined) => Effect.Effect<ReadonlyArray<Row>, E, R>,
  show: (row: Row) => Shown,
) => {
  const limit = query.limit ?? 100
  return Effect.map(read(limit, query.after), (rows) => ({ [field]: rows.map(show), next: nextCursor(rows, limit) }) as { [P in K]: Array<Shown> } & { next: string | null })
}

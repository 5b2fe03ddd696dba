// Cursor pagination shared by the admin listings: ids sort by creation, so
// the last id of a full page is the cursor of the next one.
import { t } from "elysia"

export const NextCursor = t.Union([t.String(), t.Null()], { description: "Cursor for the next page (pass as `after`), null at the end" })

export const nextCursor = (rows: ReadonlyArray<{ readonly id: string }>, limit: number): string | null =>
  rows.length === limit && rows.length > 0 ? rows[rows.length - 1]!.id : null

// A hot insert as one fixed bun:sqlite statement (cached by its text through
// `db.$client.query`), filling absent fields the way drizzle does: the
// column's schema default, else null. Drizzle would rebuild the query on
// every call (~60 µs); the cached statement binds and runs (~5 µs).
import { getTableColumns, is, SQL, type Table } from "drizzle-orm"

export type FixedInsert<Row> = { readonly sql: string; readonly values: (row: Row) => Array<string | number | null> }

export const fixedInsert = <Row extends Record<string, unknown>>(table: Table, name: string): FixedInsert<Row> => {
  const columns = Object.entries(getTableColumns(table))
  for (const [field, column] of columns) {
    // A computed default would need drizzle to evaluate it; fail loudly at load instead of inserting null.
    if (column.defaultFn !== undefined || column.onUpdateFn !== undefined || is(column.default, SQL)) throw new Error(`${name}.${field} has a computed default; insert it through drizzle`)
  }
  // Only a boolean column needs mapping (stored as 0/1); the others bind as they are, with no call per value.
  const toDriver = columns.map(([, column]) => (column.dataType === "boolean" ? (v: unknown) => column.mapToDriverValue(v) as number : undefined))
  return {
    sql: `insert into "${name}" (${columns.map(([, c]) => `"${c.name}"`).join(", ")}) values (${columns.map(() => "?").join(", ")})`,
    values: (row) =>
      columns.map(([field, column], i) => {
        const v = row[field] === undefined ? (column.default ?? null) : row[field]
        const map = toDriver[i]
        return v === null || map === undefined ? (v as string | number | null) : map(v)
      }),
  }
}

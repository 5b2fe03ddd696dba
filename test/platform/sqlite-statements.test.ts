// SQLite's kept compiled statements (platform/db/sqlite-statements.ts): a text
// compiled once is handed back, the keep is bounded, and a kept statement
// still answers right with other parameters and after the schema changes.
import { Database } from "bun:sqlite"
import { describe, expect, test } from "bun:test"
import { keepCompiledStatements } from "../../src/platform/db/sqlite-statements"

const fresh = (limit?: number) => {
  const client = new Database(":memory:", { strict: true })
  client.exec("create table t (a integer, b text)")
  client.exec("insert into t values (1, 'x'), (2, 'y')")
  keepCompiledStatements(client, limit)
  return client
}

describe("keepCompiledStatements", () => {
  test("the same text gives the same compiled statement; another text another", () => {
    const client = fresh()
    const first = client.prepare("select b from t where a = ?")
    expect(client.prepare("select b from t where a = ?")).toBe(first)
    expect(client.prepare("select a from t where b = ?")).not.toBe(first)
  })

  test("a kept statement answers for the parameters of each run", () => {
    const client = fresh()
    expect(client.prepare("select b from t where a = ?").all(1)).toEqual([{ b: "x" }])
    expect(client.prepare("select b from t where a = ?").all(2)).toEqual([{ b: "y" }])
    expect(client.prepare("select b from t where a = ?").get(3)).toBeNull()
  })

  test("the keep is bounded: past the limit the least recently used text is compiled again", () => {
    const client = fresh(2)
    const one = client.prepare("select 1")
    const two = client.prepare("select 2")
    expect(client.prepare("select 2")).toBe(two)
    client.prepare("select 3")
    expect(client.prepare("select 1")).not.toBe(one)
  })

  test("a kept statement follows the schema: a column added and a table rebuilt", () => {
    const client = fresh()
    const all = () => client.prepare("select * from t order by a").all()
    expect(all()).toEqual([{ a: 1, b: "x" }, { a: 2, b: "y" }])
    client.exec("alter table t add column c integer default 7")
    expect(all()).toEqual([{ a: 1, b: "x", c: 7 }, { a: 2, b: "y", c: 7 }])
    client.exec("create table t2 (z integer, a integer); insert into t2 values (9, 1); drop table t; alter table t2 rename to t")
    expect(all()).toEqual([{ z: 9, a: 1 }])
  })
})

describe("closing a client with kept statements", () => {
  test("closeDatabase finalizes them: a kept text no longer runs on the closed database", async () => {
    const { closeDatabase, openDatabase } = await import("../../src/platform/db/database")
    const handle = openDatabase({ dialect: "sqlite", path: ":memory:" })
    if (handle.kind !== "sqlite") throw new Error("sqlite expected")
    handle.client.exec("create table t (a integer)")
    const insert = "insert into t (a) values (?)"
    handle.client.prepare(insert).run(1)
    await closeDatabase(handle)
    expect(() => handle.client.prepare(insert).run(2)).toThrow()
  })
})

describe("keep order", () => {
  test("a text used again stays kept while older unused ones go", () => {
    const client = fresh(2)
    const one = client.prepare("select 1")
    const two = client.prepare("select 2")
    client.prepare("select 1")
    client.prepare("select 3")
    expect(client.prepare("select 1")).toBe(one)
    expect(client.prepare("select 2")).not.toBe(two)
  })
})

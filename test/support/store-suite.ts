// A describe block's own test app, opened before its tests and closed after,
// with its database handle and a runner for Store programs: the set-up the
// store suites share.
import { afterAll, beforeAll } from "bun:test"
import { Effect } from "effect"
import { Database, type DatabaseHandle } from "../../src/platform/db/database"
import { Store } from "../../src/store/store"
import { makeTestApp, type TestApp } from "./app"
import type { Dialect } from "./db"

export type StoreSuite = {
  readonly db: DatabaseHandle
  readonly run: <A, E>(program: (store: typeof Store.Service) => Effect.Effect<A, E>) => Promise<A>
}

/** Registers the app's opening and closing on the enclosing describe block; `db` and `run` are for its tests. */
export const storeSuite = (dialect: Dialect): StoreSuite => {
  let app: TestApp | undefined
  let db: DatabaseHandle | undefined
  beforeAll(async () => {
    app = await makeTestApp(dialect)
    db = await app.runtime.runPromise(Database)
  })
  afterAll(() => app?.close())
  const opened = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("storeSuite: used outside its describe block's tests")
    return value
  }
  return {
    get db() {
      return opened(db)
    },
    run: (program) => opened(app).runtime.runPromise(Effect.flatMap(Store, program)),
  }
}

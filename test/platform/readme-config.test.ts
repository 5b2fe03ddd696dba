// The README's configuration table must name every variable the process reads.
import { expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { configSpec } from "../../src/platform/config/config"

test("every environment variable is documented in the README", () => {
  const readme = readFileSync(join(import.meta.dir, "../../README.md"), "utf8")
  const missing = Object.values(configSpec).map((s) => s.env).filter((env) => !readme.includes(`| \`${env}\``))
  expect(missing).toEqual([])
})

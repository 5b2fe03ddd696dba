// Dependencies point one way: platform ← store ← modules ← app ← cli, and no
// production module reaches into the sandbox (it plugs in through the
// BuiltInSandbox port). Read from the source's relative imports, so a new
// import pointing the wrong way fails here, before review.
import { describe, expect, test } from "bun:test"
import { Glob } from "bun"
import { dirname, relative, resolve } from "node:path"

const SRC = resolve(import.meta.dir, "../../src")

type Edge = { readonly from: string; readonly to: string }

const layerOf = (path: string): string => {
  const [top, module] = path.split("/")
  if (top === "modules") return `modules/${module}`
  return top!.replace(/\.ts$/, "")
}

const rank: Record<string, number> = { platform: 0, version: 0, "types.d": 0, store: 1, modules: 2, app: 3, cli: 4, main: 5 }
const rankOf = (layer: string) => rank[layer.split("/")[0]!] ?? Number.POSITIVE_INFINITY

const edges = async (): Promise<ReadonlyArray<Edge>> => {
  const out: Array<Edge> = []
  for await (const file of new Glob("**/*.ts").scan(SRC)) {
    const text = await Bun.file(`${SRC}/${file}`).text()
    // `from "…"`, `import("…")` and the bare `import "…"`, either quote.
    for (const m of text.matchAll(/(?:from |import\(|^import )["'](\.[^"']+)["']/gm)) {
      const target = relative(SRC, resolve(dirname(`${SRC}/${file}`), m[1]!))
      if (target.startsWith("..")) continue // drizzle's SQL files, embedded at build time
      out.push({ from: file, to: target })
    }
  }
  return out
}

describe("dependency direction", () => {
  test("the import scan sees the source: hundreds of edges, a known one and a bare import among them", async () => {
    const all = (await edges()).map((e) => `${e.from} -> ${e.to}`)
    expect(all.length).toBeGreaterThan(300)
    expect(all).toContain("modules/gateway/pipeline.ts -> modules/gateway/idempotency")
    expect(all).toContain("app/app.ts -> app/route-types")
  })

  test("no import points up the layers (platform ← store ← modules ← app ← cli)", async () => {
    const upward = (await edges()).filter((e) => rankOf(layerOf(e.to)) > rankOf(layerOf(e.from)))
    expect(upward.map((e) => `${e.from} -> ${e.to}`)).toEqual([])
  })

  test("no production module imports the sandbox; only the app wires it in", async () => {
    const intoSandbox = (await edges()).filter((e) => e.from.startsWith("modules/") && !e.from.startsWith("modules/sandbox/") && e.to.startsWith("modules/sandbox/"))
    expect(intoSandbox.map((e) => `${e.from} -> ${e.to}`)).toEqual([])
  })
})

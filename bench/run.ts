// `bun run bench [name...]`: runs the named benchmarks (all by default),
// prints a table for each, and writes bench/results.json.
import { benchmarks } from "./registry"

const wanted = process.argv.slice(2)
const chosen = wanted.length === 0 ? benchmarks : benchmarks.filter((b) => wanted.includes(b.name))
if (chosen.length === 0) {
  console.error(`unknown benchmark: ${wanted.join(", ")}; known: ${benchmarks.map((b) => b.name).join(", ")}`)
  process.exit(1)
}
const path = `${import.meta.dir}/results.json`
const file = Bun.file(path)
const results: Record<string, unknown> = (await file.exists()) ? await file.json() : {}
for (const b of chosen) {
  console.log(`\n== ${b.name}`)
  const rows = await b.run()
  console.table(rows)
  results[b.name] = { at: new Date().toISOString(), rows }
}
await Bun.write(path, JSON.stringify(results, null, 2) + "\n")
console.log(`\nwrote ${path}`)

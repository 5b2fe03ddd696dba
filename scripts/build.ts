// `bun run build`: one self-contained executable at dist/tdk, migrations
// embedded (they are imported as text by src/platform/db/migrations.embedded.ts).
const result = await Bun.build({
  entrypoints: [`${import.meta.dir}/../src/main.ts`],
  compile: { outfile: `${import.meta.dir}/../dist/tdk` },
  minify: true,
  sourcemap: "linked",
  target: "bun",
})
if (!result.success) {
  for (const log of result.logs) console.error(log)
  process.exit(1)
}
console.log("built dist/tdk")

// `tdk config check`: exactly `tdk serve`'s checks (same messages, same exit
// code 2), then the effective configuration grouped by area, each setting
// with whether it was set or is the default, and what it does. Secrets are
// shown only as set or unset.
import { describeConfig } from "../platform/config/config"
import type { Command } from "./commands"
import { loadServeConfigOrExit } from "./load-config"

/** The area a setting belongs to: its prefix when several share it. */
const areaOf = (env: string, shared: ReadonlySet<string>) => {
  const prefix = env.split("_")[0]!
  return shared.has(prefix) ? prefix : "GENERAL"
}

export const configCheckCommand: Command = {
  words: ["config", "check"],
  summary: "Run the checks `tdk serve` runs before starting (same exit code), then print the effective configuration by area, secrets redacted",
  example: "DATABASE_URL=postgres://tdk@db/tdk tdk config check",
  run: async () => {
    // The environment too, so a default is told from a value that was set.
    const rows = describeConfig(loadServeConfigOrExit(), process.env)
    const counts = new Map<string, number>()
    for (const r of rows) counts.set(r.env.split("_")[0]!, (counts.get(r.env.split("_")[0]!) ?? 0) + 1)
    const shared = new Set([...counts].filter(([, n]) => n > 1).map(([p]) => p))
    const width = Math.max(...rows.map((r) => r.env.length))
    const valueWidth = Math.min(40, Math.max(...rows.map((r) => r.value.length)))
    const areas = [...new Set(rows.map((r) => areaOf(r.env, shared)))].sort((a, b) => (a === "GENERAL" ? -1 : b === "GENERAL" ? 1 : a.localeCompare(b)))
    for (const area of areas) {
      console.log(`\n${area === "GENERAL" ? "General" : area}`)
      for (const r of rows.filter((x) => areaOf(x.env, shared) === area)) console.log(`  ${r.env.padEnd(width)}  ${r.value.padEnd(valueWidth)}  ${r.set ? "set    " : "default"}  ${r.doc}`)
    }
    console.log("\nconfiguration ok: `tdk serve` would start with it")
    return 0
  },
}

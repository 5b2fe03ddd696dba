import { describeConfig } from "../platform/config/config"
import type { Command } from "./commands"
import { loadConfigOrExit } from "./load-config"

export const configCheckCommand: Command = {
  words: ["config", "check"],
  summary: "Validate the environment and print the effective configuration, secrets redacted",
  usage: "",
  run: async () => {
    // The environment too, so a default is told from a value that was set.
    const rows = describeConfig(loadConfigOrExit(), process.env)
    const width = Math.max(...rows.map((r) => r.env.length))
    for (const r of rows) console.log(`${r.env.padEnd(width)}  ${r.value}`)
    return 0
  },
}

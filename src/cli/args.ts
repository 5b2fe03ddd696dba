// Minimal argv parsing for the CLI: positional words, `--flag value`,
// `--flag=value` and boolean `--flag`.
export type Args = { readonly words: ReadonlyArray<string>; readonly flags: Readonly<Record<string, string | true>> }

export const parseArgs = (argv: ReadonlyArray<string>): Args => {
  const words: Array<string> = []
  const flags: Record<string, string | true> = {}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === "-h") flags.help = true
    else if (a.startsWith("--")) {
      const eq = a.indexOf("=")
      if (eq > 0) flags[a.slice(2, eq)] = a.slice(eq + 1)
      else {
        const next = argv[i + 1]
        if (next !== undefined && !next.startsWith("-")) {
          flags[a.slice(2)] = next
          i++
        } else flags[a.slice(2)] = true
      }
    } else words.push(a)
  }
  return { words, flags }
}

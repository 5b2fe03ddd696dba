// The CLI's command table. Each command names its words, says what it does,
// and runs with the parsed arguments; `main.ts` only dispatches.
import type { Args } from "./args"

export type Option = {
  /** Without the dashes. */
  readonly name: string
  /** What the value is, e.g. `<email>`; absent for a switch. */
  readonly value?: string
  readonly description: string
}

export type Command = {
  readonly words: ReadonlyArray<string>
  readonly summary: string
  readonly usage: string
  /** Every option it takes; any other is refused. */
  readonly options?: ReadonlyArray<Option>
  /** The environment variables it reads beyond the server's configuration. */
  readonly env?: ReadonlyArray<string>
  readonly example: string
  readonly run: (args: Args) => Promise<number>
}

/** Options every command takes. */
export const HELP_OPTION: Option = { name: "help", description: "Show this help (also -h)" }

export const renderHelp = (commands: ReadonlyArray<Command>): string =>
  [
    "tdk: TDK Core gateway",
    "",
    "Usage: tdk <command> [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.words.join(" ").padEnd(22)} ${c.summary}`),
    "",
    "Run `tdk <command> --help` for a command's options. Configuration comes from the environment; see `tdk config check`.",
  ].join("\n")

export const renderCommandHelp = (c: Command): string => {
  const options = [...(c.options ?? []), HELP_OPTION]
  const width = Math.max(...options.map((o) => `--${o.name}${o.value ? ` ${o.value}` : ""}`.length))
  return [
    `Usage: tdk ${c.words.join(" ")}${c.usage ? ` ${c.usage}` : ""}`,
    "",
    c.summary,
    "",
    "Options:",
    ...options.map((o) => `  ${`--${o.name}${o.value ? ` ${o.value}` : ""}`.padEnd(width)}  ${o.description}`),
    "",
    `Environment: the server's configuration (see \`tdk config check\`)${c.env && c.env.length > 0 ? `, and ${c.env.join(", ")}` : ""}.`,
    "",
    "Example:",
    `  ${c.example}`,
  ].join("\n")
}

/** The commands under a group word (`tdk pool`), for its help. */
export const renderGroupHelp = (group: string, commands: ReadonlyArray<Command>): string =>
  [
    `Usage: tdk ${group} <command> [options]`,
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.words.join(" ").padEnd(22)} ${c.summary}`),
    "",
    `Run \`tdk ${group} <command> --help\` for a command's options.`,
  ].join("\n")

/** The options given that the command does not take. */
export const unknownOptions = (c: Command, flags: Readonly<Record<string, unknown>>): ReadonlyArray<string> => {
  const known = new Set([...(c.options ?? []).map((o) => o.name), HELP_OPTION.name])
  return Object.keys(flags).filter((f) => !known.has(f))
}

/** The command whose words prefix the argv words, longest match first. */
export const findCommand = (commands: ReadonlyArray<Command>, words: ReadonlyArray<string>) =>
  [...commands]
    .sort((a, b) => b.words.length - a.words.length)
    .find((c) => c.words.every((w, i) => words[i] === w))

/** Options given the wrong way: a valued option without its value (`--max-usdc` alone, or `--max-usdc -1`), or a switch with one (`--dry-run=true`). */
export const misusedOptions = (c: Command, flags: Readonly<Record<string, string | true>>): ReadonlyArray<string> =>
  (c.options ?? []).flatMap((o) => {
    const given = flags[o.name]
    if (given === undefined) return []
    if (o.value !== undefined && given === true) return [`--${o.name} needs a value ${o.value}`]
    if (o.value === undefined && given !== true) return [`--${o.name} takes no value`]
    return []
  })

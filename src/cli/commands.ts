// The CLI's command table. Each command names its words, says what it does,
// declares its options, environment and an example, and runs with the parsed
// flags; cli/effect-cli.ts turns the table into effect/cli commands, which
// parse, refuse and explain.
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
  /** Every option it takes (effect/cli refuses any other). */
  readonly options?: ReadonlyArray<Option>
  /** The environment variables it reads beyond the server's configuration. */
  readonly env?: ReadonlyArray<string>
  readonly example: string
  readonly run: (args: Args) => Promise<number>
}

/** The root's description: every command with what it does (effect/cli lists the groups, this lists what is in them). */
export const renderHelp = (commands: ReadonlyArray<Command>): string =>
  [
    "TDK Core gateway. Configuration comes from the environment; see `tdk config check`.",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.words.join(" ").padEnd(22)} ${c.summary}`),
    "",
    "Run `tdk <command> --help` (or `tdk help <command>`) for a command's flags, environment and an example.",
  ].join("\n")

// The CLI's command table. Each command names its words, says what it does,
// and runs with the parsed arguments; `main.ts` only dispatches.
import type { Args } from "./args"

export type Command = {
  readonly words: ReadonlyArray<string>
  readonly summary: string
  readonly usage: string
  readonly run: (args: Args) => Promise<number>
}

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

export const renderCommandHelp = (c: Command): string => `Usage: tdk ${c.words.join(" ")} ${c.usage}\n\n${c.summary}`

/** The command whose words prefix the argv words, longest match first. */
export const findCommand = (commands: ReadonlyArray<Command>, words: ReadonlyArray<string>) =>
  [...commands]
    .sort((a, b) => b.words.length - a.words.length)
    .find((c) => c.words.every((w, i) => words[i] === w))

// The command table as an `effect/cli` command tree: effect/cli parses the
// arguments, refuses unknown flags and subcommands, and renders help and the
// version; each command's `run` receives the flags it declared. The table
// (commands.ts) stays the one place a command is described.
import { Cause, Console, Effect, FileSystem, Layer, Option, Path, Sink, Stdio, Stream, Terminal } from "effect"
import { Argument, CliConfig, CliError, CliOutput, Command as Cli, Flag, GlobalFlag } from "effect/cli"
import { ChildProcessSpawner } from "effect/process"
import type { Args } from "./args"
import type { Command, Option as CommandOption } from "./commands"

type Flags = Record<string, Flag.Flag<Option.Option<string>> | Flag.Flag<boolean>>

const metavar = (o: CommandOption) => (o.value ?? "").replace(/^<|>$/g, "")

const flagsOf = (c: Command): Flags =>
  Object.fromEntries(
    (c.options ?? []).map((o) => [
      o.name,
      o.value === undefined
        ? Flag.Boolean(o.name).pipe(Flag.withDescription(o.description), Flag.withDefault(false))
        : Flag.String(o.name).pipe(Flag.withDescription(o.description), Flag.withMetavar(metavar(o)), Flag.optional),
    ]),
  )

/** What `run` receives: a switch given is `true`, a value given is its text; nothing else is present. */
const argsOf = (c: Command, parsed: Record<string, Option.Option<string> | boolean>): Args => ({
  words: c.words,
  flags: Object.fromEntries(
    Object.entries(parsed).flatMap(([name, v]): Array<[string, string | true]> => (typeof v === "boolean" ? (v ? [[name, true]] : []) : Option.isSome(v) ? [[name, v.value]] : [])),
  ),
})

const describe = (c: Command) =>
  [c.summary, "", `Environment: the server's configuration (see \`tdk config check\`)${c.env && c.env.length > 0 ? `, and ${c.env.join(", ")}` : ""}.`].join("\n")

/** The exit code of the command that ran (effect/cli's handlers return nothing). */
export type ExitBox = { code: number }

const leaf = (c: Command, word: string, box: ExitBox) =>
  Cli.make(word, flagsOf(c), (parsed) =>
    Effect.promise(async () => {
      box.code = await c.run(argsOf(c, parsed as Record<string, Option.Option<string> | boolean>))
    }),
  ).pipe(Cli.withDescription(describe(c)), Cli.withShortDescription(c.summary), Cli.withExamples([{ command: c.example }]))

/**
 * The tree: one-word commands at the root, multi-word ones under their group
 * word (`tdk pool …`). `extra` are root commands built elsewhere (`help`).
 */
export const commandTree = (
  commands: ReadonlyArray<Command>,
  box: ExitBox,
  descriptions: { readonly root: string; readonly groups: Readonly<Record<string, string>> },
  extra: ReadonlyArray<Cli.Command<any, any, any, any, any>> = [],
) => {
  const groups = new Map<string, Array<Command>>()
  const single: Array<Command> = []
  for (const c of commands) {
    if (c.words.length === 1) single.push(c)
    else groups.set(c.words[0]!, [...(groups.get(c.words[0]!) ?? []), c])
  }
  const subcommands = [
    ...single.map((c) => leaf(c, c.words[0]!, box)),
    ...[...groups].map(([group, members]) =>
      Cli.make(group).pipe(
        Cli.withDescription(descriptions.groups[group] ?? `tdk ${group} commands`),
        Cli.withShortDescription(`${descriptions.groups[group] ?? group}: ${members.map((m) => m.words.slice(1).join(", ")).join(", ")}`),
        Cli.withSubcommands(members.map((m) => leaf(m, m.words.slice(1).join(" "), box))),
      ),
    ),
    ...extra,
  ]
  return Cli.make("tdk").pipe(Cli.withDescription(descriptions.root), Cli.withSubcommands(subcommands as never))
}

/** `--version` and `-V`: the version line as `tdk version` prints it. */
const versionFlag = (line: string) =>
  GlobalFlag.Action({
    flag: Flag.Boolean("version").pipe(Flag.withAlias("V"), Flag.withDescription("Show the version"), Flag.withDefault(false)),
    run: () => Console.log(line),
  })

// An invalid invocation's errors, then its help, go to standard error; help that was asked for goes to standard output.
const presenter: CliOutput.Presenter = {
  present: (event) =>
    Effect.gen(function* () {
      const formatter = yield* CliOutput.Formatter
      if (event._tag === "InvalidInvocation") {
        yield* Console.error(formatter.formatErrors(event.errors))
        return yield* Console.error(formatter.formatHelpDoc(event.helpDoc))
      }
      // A group or the root named without a command: its help, as a usage error on standard error.
      if (event._tag === "Help" && event.reason === "Implicit") return yield* Console.error(formatter.formatHelpDoc(event.helpDoc))
      return yield* CliOutput.defaultPresenter.present(event)
    }),
}

const unused = Effect.die("not used by the command line")

/**
 * What effect/cli needs of the platform, for a parser that reads no files,
 * spawns nothing and prompts for nothing: the arguments are handed over, and
 * output goes through Console.
 */
const cliEnvironment = (versionLine: string) =>
  Layer.mergeAll(
    FileSystem.layerNoop({}),
    Path.layer,
    Layer.succeed(Stdio.Stdio, Stdio.make({ args: Effect.succeed([]), stdout: () => Sink.drain, stderr: () => Sink.drain, stdin: Stream.empty })),
    Layer.succeed(Terminal.Terminal, Terminal.make({ columns: Effect.succeed(100), rows: Effect.succeed(24), size: unused, readInput: unused, readLine: unused, display: (s) => Console.log(s) })),
    Layer.succeed(ChildProcessSpawner.ChildProcessSpawner, ChildProcessSpawner.make(() => unused)),
    // Help and the version only: no interactive wizard, completions or log-level flag.
    CliConfig.layer({ builtIns: [GlobalFlag.Help, versionFlag(versionLine)] }),
    CliOutput.layer(CliOutput.defaultFormatter({ colors: false, globalFlags: "summary" })),
    CliOutput.layerPresenter(presenter),
  )

/**
 * Runs the tree on `argv`; the exit code: the command's own, 0 for help or
 * the version asked for, 2 for a usage error (unknown flag or command, a
 * value missing, a group named without its command).
 */
export const runTree = async (tree: ReturnType<typeof commandTree>, box: ExitBox, argv: ReadonlyArray<string>, versionLine: string): Promise<number> => {
  const asked = argv.includes("--help") || argv.includes("-h")
  const exit = await Effect.runPromiseExit(Cli.runWith(tree, { version: versionLine })(argv).pipe(Effect.provide(cliEnvironment(versionLine))))
  if (exit._tag === "Success") return box.code
  const error = Cause.findErrorOption(exit.cause)
  if (error._tag === "Some" && CliError.isCliError(error.value)) return error.value._tag === "ShowHelp" && error.value.errors.length === 0 && asked ? 0 : 2
  throw new Error(Cause.pretty(exit.cause))
}

/** `tdk help [command…]`: the help of the command (or group) named, as `--help` shows it; the root's without one. */
export const helpCommand = (box: ExitBox, tree: () => ReturnType<typeof commandTree>, versionLine: string, entry: Command, commands: ReadonlyArray<Command>) =>
  Cli.make("help", { command: Argument.String("command").pipe(Argument.withDescription("The command, e.g. pool balances"), Argument.variadic()) }, ({ command }) =>
    Effect.promise(async () => {
      // Only a command or a group the table has: --help after an unknown word would show the root's help as if it were asked for.
      const known = command.length === 0 || commands.some((c) => command.every((w, i) => c.words[i] === w) && command.length <= c.words.length)
      if (!known) {
        console.error(`tdk: unknown command: ${command.join(" ")} (see tdk help)`)
        box.code = 2
        return
      }
      box.code = await runTree(tree(), { code: 0 }, [...command, "--help"], versionLine)
    }),
  ).pipe(Cli.withDescription(describe(entry)), Cli.withShortDescription(entry.summary), Cli.withExamples([{ command: entry.example }]))

#!/usr/bin/env bun
// The one entry point: `tdk <command>`. Dispatch only; commands live in src/cli.
import { parseArgs } from "./cli/args"
import { findCommand, misusedOptions, renderCommandHelp, renderGroupHelp, renderHelp, unknownOptions, type Command } from "./cli/commands"
import { adminCreateUserCommand } from "./cli/admin-create-user"
import { configCheckCommand } from "./cli/config-check"
import { keysCreateCommand } from "./cli/keys-create"
import { migrateCommand } from "./cli/migrate"
import { poolGenerateCommand, poolNewMasterKeyCommand, poolRotateMasterCommand } from "./cli/pool"
import { poolBalancesCommand, poolRefillReportCommand } from "./cli/pool-reports"
import { poolRefillCommand } from "./cli/pool-refill"
import { poolRotateCommand, poolSweepCommand } from "./cli/pool-lifecycle"
import { auditCommand } from "./cli/audit"
import { adminNewTokenCommand } from "./cli/admin-new-token"
import { serveCommand } from "./cli/serve"
import { stripeSetupCommand } from "./cli/stripe-setup"
import { redactString } from "./platform/logging/redact"
import { VERSION } from "./version"

const versionCommand: Command = {
  words: ["version"],
  summary: "Print the version (also --version, -V)",
  usage: "",
  example: "tdk version",
  run: async () => {
    console.log(`tdk ${VERSION}`)
    return 0
  },
}

const helpCommand: Command = {
  words: ["help"],
  summary: "List the commands (also --help, -h); `tdk help <command>` for one command's",
  usage: "[<command>]",
  example: "tdk help pool balances",
  // Answered in main, which knows the command table.
  run: async () => 0,
}

export const commands: ReadonlyArray<Command> = [
  serveCommand,
  migrateCommand,
  configCheckCommand,
  adminCreateUserCommand,
  keysCreateCommand,
  poolGenerateCommand,
  poolNewMasterKeyCommand,
  poolRotateMasterCommand,
  stripeSetupCommand,
  poolBalancesCommand,
  auditCommand,
  adminNewTokenCommand,
  poolRefillReportCommand,
  poolRefillCommand,
  poolRotateCommand,
  poolSweepCommand,
  versionCommand,
  helpCommand,
]

/** Exit codes: 0 done, 1 failed, 2 usage or configuration refused. */
export const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  if (argv[0] === "--version" || argv[0] === "-V") return versionCommand.run({ words: [], flags: {} })
  const args = parseArgs(argv)
  const [first, ...rest] = args.words
  if (first === "help" && rest.length === 0 && args.flags.help) {
    console.log(renderCommandHelp(helpCommand))
    return 0
  }
  if (first === undefined || first === "help") {
    if (rest.length === 0) {
      console.log(renderHelp(commands))
      return first === "help" || args.flags.help ? 0 : 2
    }
    return helpFor(rest)
  }
  const command = findCommand(commands, args.words)
  if (!command || command.words.length < args.words.length) {
    // A group word alone (`tdk pool`) or with --help lists its commands.
    const group = commands.filter((c) => c.words[0] === first && c.words.length > 1)
    if (group.length > 0 && args.words.length === 1) {
      console.log(renderGroupHelp(first, group))
      return args.flags.help ? 0 : 2
    }
    console.error(`tdk: unknown command: ${args.words.join(" ")}\n\n${group.length > 0 ? renderGroupHelp(first, group) : renderHelp(commands)}`)
    return 2
  }
  if (args.flags.help) {
    console.log(renderCommandHelp(command))
    return 0
  }
  const unknown = unknownOptions(command, args.flags)
  if (unknown.length > 0) {
    console.error(`tdk ${command.words.join(" ")}: unknown option${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => `--${u}`).join(", ")}\n\n${renderCommandHelp(command)}`)
    return 2
  }
  const misused = misusedOptions(command, args.flags)
  if (misused.length > 0) {
    console.error(`tdk ${command.words.join(" ")}: ${misused.join("; ")}\n\n${renderCommandHelp(command)}`)
    return 2
  }
  return command.run(args)
}

const helpFor = (words: ReadonlyArray<string>): number => {
  const command = findCommand(commands, words)
  if (command && command.words.length === words.length) {
    console.log(renderCommandHelp(command))
    return 0
  }
  const group = commands.filter((c) => c.words[0] === words[0] && c.words.length > 1)
  if (group.length > 0 && words.length === 1) {
    console.log(renderGroupHelp(words[0]!, group))
    return 0
  }
  console.error(`tdk: unknown command: ${words.join(" ")}`)
  return 2
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`tdk: ${redactString(e instanceof Error ? e.message : String(e))}`)
      process.exit(1)
    },
  )
}

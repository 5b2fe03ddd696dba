#!/usr/bin/env bun
// The one entry point: `tdk <command>`. Dispatch only; commands live in src/cli.
import { parseArgs } from "./cli/args"
import { findCommand, renderCommandHelp, renderHelp, type Command } from "./cli/commands"
import { adminCreateUserCommand } from "./cli/admin-create-user"
import { configCheckCommand } from "./cli/config-check"
import { keysCreateCommand } from "./cli/keys-create"
import { migrateCommand } from "./cli/migrate"
import { poolGenerateCommand, poolNewMasterKeyCommand, poolRotateMasterCommand } from "./cli/pool"
import { poolBalancesCommand, poolRefillReportCommand } from "./cli/pool-reports"
import { auditCommand } from "./cli/audit"
import { adminNewTokenCommand } from "./cli/admin-new-token"
import { serveCommand } from "./cli/serve"
import { stripeSetupCommand } from "./cli/stripe-setup"
import { redactString } from "./platform/logging/redact"
import { VERSION } from "./version"

const versionCommand: Command = {
  words: ["version"],
  summary: "Print the version",
  usage: "",
  run: async () => {
    console.log(`tdk ${VERSION}`)
    return 0
  },
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
  versionCommand,
]

const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  const args = parseArgs(argv)
  if (args.words.length === 0) {
    console.log(renderHelp(commands))
    return args.flags.help ? 0 : 1
  }
  const command = findCommand(commands, args.words)
  if (!command) {
    console.error(`unknown command: ${args.words.join(" ")}\n\n${renderHelp(commands)}`)
    return 1
  }
  if (args.flags.help) {
    console.log(renderCommandHelp(command))
    return 0
  }
  return command.run(args)
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

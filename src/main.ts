#!/usr/bin/env bun
// The one entry point: `tdk <command>`. Dispatch only; commands live in src/cli.
import { renderHelp, type Command } from "./cli/commands"
import { commandTree, helpCommand as helpCli, runTree, type ExitBox } from "./cli/effect-cli"
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
  example: "tdk version",
  run: async () => {
    console.log(`tdk ${VERSION}`)
    return 0
  },
}

const helpCommand: Command = {
  words: ["help"],
  summary: "List the commands (also --help, -h); `tdk help <command>` for one command's",
  example: "tdk help pool balances",
  // Built by cli/effect-cli.ts (helpCommand), which runs the tree again for the command named.
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

/** What each group of commands is for, in its help. */
const GROUPS: Readonly<Record<string, string>> = {
  pool: "The wallet pool: create, fund, check, rotate and sweep wallets; master keys",
  admin: "Operator accounts and the admin token",
  keys: "API keys",
  config: "The configuration",
  stripe: "Stripe products and meters",
}

/** Exit codes: 0 done, 1 failed, 2 usage or configuration refused. Parsing, help and the version are effect/cli's (cli/effect-cli.ts). */
export const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  const box: ExitBox = { code: 0 }
  const versionLine = `tdk ${VERSION}`
  const tree = (): ReturnType<typeof commandTree> =>
    commandTree(
      commands.filter((c) => c !== helpCommand),
      box,
      { root: renderHelp(commands), groups: GROUPS },
      [helpCli(box, tree, versionLine, helpCommand, commands)],
    )
  return runTree(tree(), box, argv, versionLine)
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

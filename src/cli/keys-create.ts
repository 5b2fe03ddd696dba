import { Effect } from "effect"
import { UserNotFound } from "../modules/admin/errors"
import { createKey } from "../modules/keys/service"
import { normaliseEmail } from "../modules/auth/credentials"
import { Store } from "../store/store"
import type { Command } from "./commands"
import { flag, runCli } from "./runtime"
import { parseEnvironment } from "../platform/environments"

export const keysCreateCommand: Command = {
  words: ["keys", "create"],
  summary: "Create an API key for an existing user (printed once)",
  options: [
    { name: "email", value: "<email>", description: "The user's e-mail (required)" },
    { name: "name", value: "<name>", description: "A name to tell the key apart (default cli)" },
    { name: "env", value: "live|test", description: "live (default) or test: a test key calls the sandbox's agents with sandbox money" },
  ],
  example: "tdk keys create --email dev@example.com --name ci --env test",
  run: async ({ flags }) => {
    const email = flag(flags, "email")
    const env = parseEnvironment(flag(flags, "env") ?? "live")
    if (!email || !env) {
      console.error("error: --email is required and --env must be live or test")
      return 2
    }
    const program = Effect.gen(function* () {
      const store = yield* Store
      const user = yield* store.users.findByEmail(normaliseEmail(email))
      if (!user) return yield* new UserNotFound({ userId: email })
      return yield* createKey(user.id, flag(flags, "name") ?? "cli", env)
    })
    return runCli(program, ({ secret, row }) => {
      console.log(`key      ${row.id} (${row.environment}, ${row.tier})`)
      console.log(`api key  ${secret}   (shown once)`)
    })
  },
}

import bs58 from "bs58"
import { register } from "../modules/auth/service"
import type { Command } from "./commands"
import { flag, runCli } from "./runtime"

export const adminCreateUserCommand: Command = {
  words: ["admin", "create-user"],
  summary: "Create a user and its first API key (printed once); a password is generated unless given",
  options: [
    { name: "email", value: "<email>", description: "The user's e-mail (required)" },
    { name: "password", value: "<password>", description: "Their password (at least 12 characters); generated and printed when absent" },
  ],
  example: "tdk admin create-user --email dev@example.com",
  run: async ({ flags }) => {
    const email = flag(flags, "email")
    if (!email) {
      console.error("error: --email is required")
      return 2
    }
    const given = flag(flags, "password")
    const password = given ?? bs58.encode(crypto.getRandomValues(new Uint8Array(18)))
    return runCli(register(email, password, "operator"), ({ user, key }) => {
      console.log(`user     ${user.id} ${user.email}`)
      if (!given) console.log(`password ${password}   (generated: give it to the user; it is not shown again)`)
      console.log(`api key  ${key.secret}   (shown once)`)
    })
  },
}

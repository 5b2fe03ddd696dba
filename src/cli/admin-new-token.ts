// `tdk admin new-token`: a random ADMIN_TOKEN (256 bits, base58), printed once.
import bs58 from "bs58"
import type { Command } from "./commands"

export const newAdminToken = (): string => `tka_${bs58.encode(crypto.getRandomValues(new Uint8Array(32)))}`

export const adminNewTokenCommand: Command = {
  words: ["admin", "new-token"],
  summary: "Print a random ADMIN_TOKEN line (set it in the environment; it is not stored anywhere)",
  example: "tdk admin new-token >> .env",
  run: async () => {
    console.log(`ADMIN_TOKEN=${newAdminToken()}`)
    return 0
  },
}

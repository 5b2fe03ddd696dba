// `tdk serve`: launches the server process (app/process.ts) and closes its
// scope on SIGTERM or SIGINT, which shuts down gracefully.
import { Cause, Effect, Exit, Fiber, Layer } from "effect"
import { serverProcess } from "../app/process"
import { MasterKeyConfigError } from "../modules/pool/keyring"
import { redactString } from "../platform/logging/redact"
import type { Command } from "./commands"
import { loadServeConfigOrExit } from "./load-config"

export const serveCommand: Command = {
  words: ["serve"],
  summary: "Start the gateway HTTP server",
  example: "PORT=8080 DATABASE_URL=sqlite:./tdk.db tdk serve",
  run: async () => {
    const config = loadServeConfigOrExit()
    const fiber = Effect.runFork(Layer.launch(serverProcess(config)))
    const stop = () => void Effect.runFork(Fiber.interrupt(fiber))
    process.on("SIGTERM", stop)
    process.on("SIGINT", stop)
    const exit = await Effect.runPromise(Fiber.await(fiber))
    if (Exit.isSuccess(exit) || Cause.hasInterruptsOnly(exit.cause)) process.exit(0)
    const failure = Cause.findErrorOption(exit.cause)
    const defect = exit.cause.reasons.find((r) => r._tag === "Die")
    const error = failure._tag === "Some" ? failure.value : defect?._tag === "Die" ? defect.defect : undefined
    if (error instanceof MasterKeyConfigError) {
      process.stderr.write(`config error: ${error.message}\n`)
      process.exit(2)
    }
    // Outside the logger, so through its redactor by hand: a driver's error may quote a connection string.
    process.stderr.write(`tdk serve stopped: ${redactString(Cause.pretty(exit.cause))}\n`)
    process.exit(1)
  },
}

// Structured JSON-lines logging on Effect's Logger: every line carries the
// fiber's annotations (request_id among them) and passes through `redact`.
import { Logger, References } from "effect"
import { redact } from "./redact"

export type LogSink = (line: string) => void

export const stdoutSink: LogSink = (line) => {
  process.stdout.write(line + "\n")
}

const levelName = (label: string) => label.toLowerCase()

export const jsonLogger = (sink: LogSink) =>
  Logger.make((opts) => {
    const annotations = opts.fiber.getRef(References.CurrentLogAnnotations)
    const messages = Array.isArray(opts.message) ? opts.message : [opts.message]
    const [first, ...rest] = messages
    const record: Record<string, unknown> = {
      time: opts.date.toISOString(),
      level: levelName(opts.logLevel),
      msg: typeof first === "string" ? first : JSON.stringify(first),
      ...annotations,
    }
    for (const extra of rest) {
      if (extra !== null && typeof extra === "object" && !Array.isArray(extra)) Object.assign(record, extra)
      else record.extra = extra
    }
    if (opts.cause && opts.cause.reasons.length > 0) record.cause = String(opts.cause.reasons.map((r) => ("error" in r ? r.error : "defect" in r ? r.defect : "interrupted")).map((e) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e))).join("; "))
    sink(JSON.stringify(redact(record)))
  })

/** Replaces Effect's default logger with the JSON one writing to `sink`. */
export const loggerLayer = (sink: LogSink = stdoutSink) => Logger.layer([jsonLogger(sink)])

/** Captures lines in memory, for tests that scan logs for secrets. */
export const memorySink = () => {
  const lines: Array<string> = []
  return { lines, sink: ((line: string) => void lines.push(line)) as LogSink }
}


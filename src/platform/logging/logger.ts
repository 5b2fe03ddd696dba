// Structured JSON-lines logging on Effect's Logger: every line carries the
// fiber's annotations (request_id among them) and passes through `redact`.
import { Logger, References } from "effect"
import { redact } from "./redact"

export type LogSink = (line: string) => void

export const stdoutSink: LogSink = (line) => {
  process.stdout.write(line + "\n")
}

const levelName = (label: string) => label.toLowerCase()

export type LogFormat = "json" | "pretty"

const LEVEL_COLOUR: Record<string, string> = { debug: "\x1b[2m", info: "\x1b[36m", warn: "\x1b[33m", warning: "\x1b[33m", error: "\x1b[31m", fatal: "\x1b[31m" }

/** One record as a line for people: time, level, message, then key=value (quoted when needed). */
export const prettyLine = (record: Record<string, unknown>, colour = false): string => {
  const { time, level, msg, ...rest } = record
  const clock = typeof time === "string" ? time.slice(11, 23) : ""
  const name = String(level ?? "").toUpperCase().padEnd(5)
  const fields = Object.entries(rest)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => {
      const text = typeof v === "string" ? v : JSON.stringify(v)
      return `${k}=${/^[^\s"=\p{Cc}\u2028\u2029]+$/u.test(text) ? text : JSON.stringify(text)}`
    })
  const head = colour ? `\x1b[2m${clock}\x1b[0m ${LEVEL_COLOUR[String(level)] ?? ""}${name}\x1b[0m` : `${clock} ${name}`
  // A message or value with control characters is quoted, so a log line cannot move the terminal's cursor or forge another line.
  const message = String(msg ?? "")
  return [head, /[\p{Cc}\u2028\u2029]/u.test(message) ? JSON.stringify(message) : message, ...fields].join(" ")
}

export const jsonLogger = (sink: LogSink, format: LogFormat = "json", colour = false) =>
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
    const safe = redact(record) as Record<string, unknown>
    sink(format === "json" ? JSON.stringify(safe) : prettyLine(safe, colour))
  })

/** Replaces Effect's default logger with ours writing to `sink`: JSON lines, or lines for people. */
export const loggerLayer = (sink: LogSink = stdoutSink, format: LogFormat = "json", colour = false) => Logger.layer([jsonLogger(sink, format, colour)])

/** LOG_FORMAT=auto: lines for people on a terminal, JSON lines for everything that reads them (files, pipes, collectors). */
export const resolveLogFormat = (configured: "auto" | LogFormat, stdoutIsTerminal: boolean): LogFormat => (configured === "auto" ? (stdoutIsTerminal ? "pretty" : "json") : configured)

/** Captures lines in memory, for tests that scan logs for secrets. */
export const memorySink = () => {
  const lines: Array<string> = []
  return { lines, sink: ((line: string) => void lines.push(line)) as LogSink }
}


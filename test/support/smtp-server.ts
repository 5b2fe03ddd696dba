// A real SMTP server for e-mail tests: Python's standard-library smtpd
// (DebuggingServer), started on a loopback port; it prints every message it
// takes, which the test reads back.
import { freePort } from "../../scripts/services"

export const startSmtpServer = async () => {
  const port = freePort()
  const proc = Bun.spawn(["python3", "-u", "-W", "ignore", "-m", "smtpd", "-n", "-c", "DebuggingServer", `127.0.0.1:${port}`], { stdout: "pipe", stderr: "pipe" })
  let output = ""
  void (async () => {
    const reader = proc.stdout.getReader()
    const decoder = new TextDecoder()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      output += decoder.decode(value, { stream: true })
    }
  })()
  const deadline = Date.now() + 10_000
  for (;;) {
    try {
      const socket = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } })
      socket.end()
      break
    } catch {
      if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`the SMTP server did not start: ${await new Response(proc.stderr).text()}`)
      await Bun.sleep(50)
    }
  }
  return {
    url: `smtp://127.0.0.1:${port}`,
    /** The messages taken so far, as the server printed them. */
    messages: () => output.split("---------- MESSAGE FOLLOWS ----------").slice(1).map((m) => m.split("------------ END MESSAGE ------------")[0]!.trim()),
    stop: () => proc.kill(),
  }
}

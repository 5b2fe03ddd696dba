// `tdk audit [--period YYYY-MM]`: the money audit of one month, printed for
// the operator; exits 1 when money is off, so a script or a cron notices.
import { Clock, Effect } from "effect"
import { auditPeriod } from "../modules/audit/audit"
import { isPeriod, periodOf } from "../platform/period"
import type { Command } from "./commands"
import { flag, runCli } from "./runtime"

export const auditCommand: Command = {
  words: ["audit"],
  summary: "Check one month's money: shared payments, settled calls without their own payment on chain, counters against rows, Stripe refusals",
  options: [{ name: "period", value: "YYYY-MM", description: "The month (UTC) to audit; this month when absent" }],
  example: "tdk audit --period 2026-11",
  run: async (args) => {
    const period = flag(args.flags, "period")
    if (period !== undefined && !isPeriod(period)) {
      console.error("error: --period must be a calendar month, YYYY-MM")
      return 2
    }
    let ok = true
    const code = await runCli(
      Effect.gen(function* () {
        return yield* auditPeriod(period ?? periodOf(yield* Clock.currentTimeMillis))
      }),
      (report) => {
        ok = report.ok
        console.log(`period ${report.period}: ${report.settledRowsChecked} settled rows checked on chain`)
        if (report.findings.length === 0) console.log("no findings")
        for (const f of report.findings) {
          console.log(`${f.severity.toUpperCase()} ${f.kind}${f.keyId ? ` key ${f.keyId}` : ""}: ${f.detail}`)
          if (f.rowIds.length > 0) console.log(`  rows: ${f.rowIds.join(" ")}`)
        }
      },
    )
    return code !== 0 ? code : ok ? 0 : 1
  },
}

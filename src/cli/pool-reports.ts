// `tdk pool balances` and `tdk pool refill-report`: the operator's pool views
// as plain tables. Amounts are printed in base units (micro-USD, lamports)
// beside a human figure, never rounded in the base-unit column.
import { Effect } from "effect"
import { checkBalances } from "../modules/pool/balances"
import { currentRefillReport } from "../modules/pool/refill-report"
import { Store } from "../store/store"
import { loadConfig } from "../platform/config/config"
import type { Command } from "./commands"
import { progressAsReported } from "./progress"
import { runCli } from "./runtime"

export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: ReadonlyArray<string>) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n")
}

/** "12.345678" from micro-USD, by integer division (no float). */
export const usd = (microUsd: number): string => `${Math.floor(microUsd / 1_000_000)}.${String(microUsd % 1_000_000).padStart(6, "0")}`
/** "0.100000000" from lamports. */
export const sol = (lamports: number): string => `${Math.floor(lamports / 1_000_000_000)}.${String(lamports % 1_000_000_000).padStart(9, "0")}`

/**
 * The RPC endpoint a check read, as its origin only: providers carry the API
 * key in the user part, the query or the path (`/v2/<key>`), so none of those
 * is printed.
 */
export const shownRpc = (url: string) => new URL(url).origin

/**
 * Which URL could not be read, and on the sandbox what to do: the chain is
 * the gateway's own /sandbox/solana, at the port PORT names.
 */
const unreadHint = (failed: number, lastError: string | undefined) => {
  const config = loadConfig(process.env)
  const sandbox = config.network === "sandbox"
  return [
    `could not read ${failed} wallet${failed === 1 ? "" : "s"} from ${shownRpc(config.solanaRpcUrl)}${lastError ? `: ${lastError.replace(/^\S+ /, "")}` : ""}`,
    sandbox ? `on the sandbox the chain is the gateway's own /sandbox/solana: start \`tdk serve\` first, or set PORT (now ${config.port}) to the port it listens on` : "check SOLANA_RPC_URL",
  ].join("\n")
}

export const poolBalancesCommand: Command = {
  words: ["pool", "balances"],
  summary: "Read every pool wallet's balances now, update statuses, print a table",
  example: "PORT=8080 tdk pool balances",
  // Exits 1 when any wallet could not be read, so a script notices an outage.
  run: async () => {
    let failed = 0
    const code = await runCli(
      Effect.gen(function* () {
        const report = yield* checkBalances({ onProgress: progressAsReported("reading balances") })
        const store = yield* Store
        return { report, wallets: yield* store.wallets.list() }
      }),
      ({ report, wallets }) => {
        console.log(
          table(
            // "test" wallets hold sandbox money for test keys: never send them real funds.
            ["wallet", "public key", "pool", "status", "usdc (micro-USD)", "usd", "lamports", "sol", "keys", "error"],
            wallets.map((w) => [w.id, w.publicKey, w.environment, w.status, String(w.usdcBalance), usd(w.usdcBalance), String(w.lamports), sol(w.lamports), String(w.assignedKeyCount), w.lastBalanceError ?? ""]),
          ),
        )
        const s = report.by_status
        console.log(`\nread ${report.read} of ${report.wallets} wallets (${report.failed} failed): ${s.active} active, ${s.low_balance} low_balance, ${s.depleted} depleted, ${s.retired} retired`)
        for (const c of report.changes) console.log(`${c.wallet_id}: ${c.from} -> ${c.to}`)
        failed = report.failed
        if (report.failed > 0) console.error(unreadHint(report.failed, wallets.find((w) => w.lastBalanceError)?.lastBalanceError ?? undefined))
      },
    )
    return code === 0 && failed > 0 ? 1 : code
  },
}

export const poolRefillReportCommand: Command = {
  words: ["pool", "refill-report"],
  summary: "Print what each wallet needs to reach the refill targets, and the totals",
  example: "tdk pool refill-report",
  run: () =>
    runCli(currentRefillReport(), (r) => {
      console.log(
        table(
          ["wallet", "public key", "status", "usdc needed (micro-USD)", "usd", "lamports needed", "sol", "last check"],
          r.wallets.map((l) => [l.wallet_id, l.public_key, l.status, String(l.usdc_needed), usd(l.usdc_needed), String(l.lamports_needed), sol(l.lamports_needed), l.last_balance_check_at ?? "never"]),
        ),
      )
      console.log(`\ntargets: ${r.target_usdc} micro-USD (${usd(r.target_usdc)} USD) and ${r.target_lamports} lamports (${sol(r.target_lamports)} SOL) per wallet`)
      console.log(`total: ${r.total_usdc_needed} micro-USD (${usd(r.total_usdc_needed)} USD) and ${r.total_lamports_needed} lamports (${sol(r.total_lamports_needed)} SOL)`)
    }),
}

// `tdk pool refill`: carries out the refill report. The treasury key is read
// from a file at run time, used to sign, and never stored or printed; on the
// sandbox network the faucet funds the wallets instead.
import type { Keypair } from "@solana/web3.js"
import { Effect, Exit } from "effect"
import type { AppRuntime } from "../app/layers"
import { JobLease, withJobLock } from "../platform/jobs/lock"
import { POOL_FUNDING_JOB } from "../modules/pool/rotation"
import type { Config } from "../platform/config/config"
import { checkBalances } from "../modules/pool/balances"
import type { RefillStep } from "../modules/pool/refill-run"
import { currentRefillReport } from "../modules/pool/refill-report"
import type { Command } from "./commands"
import { loadConfigOrExit } from "./load-config"
import { fundsSender, readTreasuryKey, sendFailure } from "./funding"
import { sol, usd } from "./pool-reports"
import { progress } from "./progress"
import { flag, printFailure, withCliRuntime } from "./runtime"

const line = (i: number, n: number, s: RefillStep, outcome: string) => `[${i}/${n}] ${s.publicKey}  +${usd(s.usdc)} USDC  +${sol(s.lamports)} SOL  ${outcome}`

export const poolRefillCommand: Command = {
  words: ["pool", "refill"],
  summary: "Fund each live wallet to the refill targets from a treasury key (on the sandbox, from the faucet), at most --max-usdc a run",
  options: [
    { name: "from-keypair", value: "<file>", description: "The treasury's key file (solana-keygen's JSON array), read now and never stored or printed; required on devnet and mainnet" },
    { name: "max-usdc", value: "<micro-USD>", description: "Send at most this much USDC in this run; the wallets past it wait for the next run" },
    { name: "dry-run", description: "Print what would be sent, send nothing" },
  ],
  env: ["SOLANA_RPC_URL (where the transfers go)"],
  example: "tdk pool refill --from-keypair ~/treasury.json --max-usdc 500000000 --dry-run",
  run: async ({ flags }) => {
    const config = loadConfigOrExit()
    const keyFile = flag(flags, "from-keypair")
    const maxRaw = flag(flags, "max-usdc")
    if (maxRaw !== undefined && !/^\d{1,15}$/.test(maxRaw)) {
      console.error("tdk pool refill: --max-usdc takes a whole number of micro-USD")
      return 2
    }
    const treasury = await treasuryFor("tdk pool refill", config, keyFile)
    if (typeof treasury === "number") return treasury
    // Loaded once the arguments are known good: @solana/spl-token's bigint binding prints a warning on load.
    const { refillPlan } = await import("../modules/pool/refill-run")
    const sandbox = config.network === "sandbox"
    const refill = async (runtime: AppRuntime, held: () => Promise<boolean>): Promise<number> => {
      // Balances read from the chain now, not as last stored: a wallet funded by a run that died
      // before its re-read is not funded again, and one that cannot be read is left out.
      await runtime.runPromise(checkBalances())
      const report = await runtime.runPromise(currentRefillReport())
      const unread = report.wallets.filter((w) => w.last_balance_error !== null)
      if (unread.length > 0) console.log(`${unread.length} wallet${unread.length === 1 ? "" : "s"} left out: the balance could not be read now (${unread[0]!.last_balance_error?.slice(0, 120)})`)
      const { steps, deferred } = refillPlan(report.wallets.filter((w) => w.last_balance_error === null), maxRaw === undefined ? undefined : Number(maxRaw))
      const total = (xs: ReadonlyArray<RefillStep>) => ({ usdc: xs.reduce((n, s) => n + s.usdc, 0), lamports: xs.reduce((n, s) => n + s.lamports, 0) })
      const planned = total(steps)
      console.log(`${steps.length} wallet${steps.length === 1 ? "" : "s"} to fund: ${usd(planned.usdc)} USDC and ${sol(planned.lamports)} SOL${treasury ? ` from ${treasury.publicKey.toBase58()}` : sandbox ? " from the sandbox faucet" : ""}`)
      if (deferred.length > 0) console.log(`${deferred.length} more wait for the next run (--max-usdc ${maxRaw}): ${usd(total(deferred).usdc)} USDC`)
      if (flags["dry-run"] === true) {
        steps.forEach((s, i) => console.log(line(i + 1, steps.length, s, "(dry run)")))
        return 0
      }
      const send = await fundsSender(config, treasury)
      const bar = progress("funding", steps.length)
      let failed = 0
      const sent = { usdc: 0, lamports: 0 }
      for (const [i, s] of steps.entries()) {
        // Only while this run still holds the lock: one paused past its lease may find another refill or rotation funding now.
        if (!(await held())) {
          console.log(`stopped before wallet ${i + 1} of ${steps.length}: this refill lost its lock to another refill or rotation; nothing more sent`)
          failed += steps.length - i
          break
        }
        try {
          const outcome = await send(s)
          sent.usdc += s.usdc
          sent.lamports += s.lamports
          console.log(line(i + 1, steps.length, s, outcome))
        } catch (e) {
          failed++
          console.log(line(i + 1, steps.length, s, `FAILED: ${sendFailure(e, config)}`))
        }
        bar(i + 1)
      }
      if (steps.length > 0) await runtime.runPromise(checkBalances())
      console.log(`sent ${usd(sent.usdc)} USDC and ${sol(sent.lamports)} SOL to ${steps.length - failed} wallet${steps.length - failed === 1 ? "" : "s"}${failed > 0 ? `; ${failed} failed` : ""}; balances re-read`)
      return failed > 0 ? 1 : 0
    }
    return withCliRuntime({ logLevel: "warn" }, async (runtime) => {
      // One refill or rotation at a time against one database (the job lock): two at once would both fund the same shortfall.
      const exit = await runtime.runPromiseExit(withJobLock(POOL_FUNDING_JOB, Effect.flatMap(JobLease, (lease) => Effect.promise(() => refill(runtime, () => Effect.runPromise(lease.held))))))
      if (Exit.isSuccess(exit)) {
        if (exit.value.ran) return exit.value.value
        console.error("tdk pool refill: another refill or a rotation is running against this database; run it again once that one ends")
        return 1
      }
      printFailure(exit.cause)
      return 1
    })
  },
}

/**
 * The treasury key from --from-keypair, undefined on the sandbox without one
 * (the faucet stands in), or the exit code after saying what is missing.
 */
export const treasuryFor = async (command: string, config: Config, keyFile: string | undefined): Promise<Keypair | undefined | number> => {
  if (config.network !== "sandbox" && keyFile === undefined) {
    console.error(`${command}: --from-keypair is required on ${config.network} (the treasury the funds come from)`)
    return 2
  }
  if (config.network !== "sandbox" && !config.usdcMint) {
    console.error(`${command}: USDC_MINT is not configured`)
    return 2
  }
  if (keyFile === undefined) return undefined
  const key = await readTreasuryKey(command, keyFile)
  if (typeof key === "string") {
    console.error(key)
    return 2
  }
  return key
}

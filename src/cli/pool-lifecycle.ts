// `tdk pool rotate` and `tdk pool sweep`: the wallet lifecycle from the shell.
// Rotation funds its new wallets from the treasury key given at run time (on
// the sandbox, from the faucet), then moves keys and retires the old wallets;
// the sweep sends retired wallets' funds to POOL_TREASURY_ADDRESS.
import { Effect } from "effect"
import { fundedByFaucet, parseAge, rotateWallets, type Funding } from "../modules/pool/rotation"
import { sweepRetired } from "../modules/pool/sweep"
import type { Command } from "./commands"
import { fundsSender, sendFailure } from "./funding"
import { loadConfigOrExit } from "./load-config"
import { table, usd, sol } from "./pool-reports"
import { treasuryFor } from "./pool-refill"
import { progressAsReported } from "./progress"
import { flag, runCli } from "./runtime"
import { parseEnvironment } from "../platform/environments"

export const poolRotateCommand: Command = {
  words: ["pool", "rotate"],
  summary: "Retire wallets older than a given age: fund new ones, move their keys to them (storage data stays reachable)",
  options: [
    { name: "older-than", value: "<age>", description: "Rotate wallets created more than this long ago: 90d, 36h or 30m (required; the plan rotates every 90d)" },
    { name: "environment", value: "<live|test>", description: "The pool to rotate (default live)" },
    { name: "from-keypair", value: "<file>", description: "The treasury's key file that funds the new wallets, read now and never stored or printed; required on devnet and mainnet" },
    { name: "dry-run", description: "Print which wallets would be rotated, change nothing" },
  ],
  env: ["POOL_REFILL_TARGET_USDC and POOL_REFILL_TARGET_LAMPORTS (what each new wallet gets)"],
  example: "tdk pool rotate --older-than 90d --from-keypair ~/treasury.json --dry-run",
  run: async ({ flags }) => {
    const config = loadConfigOrExit()
    const age = parseAge(flag(flags, "older-than") ?? "")
    if (age === undefined) {
      console.error("tdk pool rotate: --older-than takes an age such as 90d, 36h or 30m")
      return 2
    }
    const environment = parseEnvironment(flag(flags, "environment") ?? "live")
    if (!environment) {
      console.error("tdk pool rotate: --environment is live or test")
      return 2
    }
    const dryRun = flags["dry-run"] === true
    const faucet = fundedByFaucet(config.network, environment)
    const treasury = faucet || dryRun ? undefined : await treasuryFor("tdk pool rotate", config, flag(flags, "from-keypair"))
    if (typeof treasury === "number") return treasury
    const send = await fundsSender(config, treasury)
    const target = { usdc: config.poolRefillTargetUsdc, lamports: config.poolRefillTargetLamports }
    const fund: Funding<never, never> = (wallets, onFunded) =>
      Effect.forEach(
        wallets,
        (w) =>
          Effect.promise(() =>
            send({ walletId: w.id, publicKey: w.publicKey, ...target }).then(
              () => onFunded(w.id),
              (e: unknown) => console.error(`funding ${w.publicKey} FAILED: ${sendFailure(e, config)}`),
            ),
          ),
        { discard: true },
      )
    return runCli(
      rotateWallets({
        olderThanMs: age,
        environment,
        dryRun,
        fund,
        onProgress: progressAsReported("rotating"),
      }),
      (r) => {
        console.log(`${r.dry_run ? "would rotate" : "rotated"} ${r.dry_run ? r.wallets.length : r.retired} ${environment} wallet${(r.dry_run ? r.wallets.length : r.retired) === 1 ? "" : "s"} created before ${r.cutoff}`)
        if (r.wallets.length > 0)
          console.log(
            table(
              ["wallet", "created", "keys", "outcome", "replaced by", "moved", "storage kept"],
              r.wallets.map((l) => [l.public_key, l.created_at.slice(0, 10), String(l.keys), l.outcome, l.replaced_by_public_key ?? "", String(l.moved_keys ?? ""), String(l.storage_keys ?? "")]),
            ),
          )
        if (!r.dry_run) console.log(`${r.moved_keys} keys moved; ${r.storage_keys} keep their storage data on a retired wallet, which stays funded and is not swept`)
        if (r.wallets.some((l) => l.outcome === "not_funded")) {
          console.log("some new wallets could not pay after funding: their old wallets still pay; fund them (`tdk pool refill`) and rotate again")
          return 1
        }
        return 0
      },
    )
  },
}

export const poolSweepCommand: Command = {
  words: ["pool", "sweep"],
  summary: "Send each retired wallet's USDC and SOL to POOL_TREASURY_ADDRESS (idempotent; wallets holding storage data are kept)",
  options: [
    { name: "grace", value: "<age>", description: "Leave wallets retired less than this long ago (default 10m: calls may still pay from them for a few seconds after rotation)" },
    { name: "dry-run", description: "Print what would be sent, send nothing" },
  ],
  env: ["POOL_TREASURY_ADDRESS (where the funds go)", "SOLANA_RPC_URL (where the transactions go)"],
  example: "tdk pool sweep --dry-run",
  run: async ({ flags }) => {
    const graceText = flag(flags, "grace")
    const graceMs = graceText === undefined ? undefined : parseAge(graceText)
    if (graceText !== undefined && graceMs === undefined) {
      console.error("tdk pool sweep: --grace takes an age such as 10m, 2h or 1d")
      return 2
    }
    return runCli(
      sweepRetired({
        dryRun: flags["dry-run"] === true,
        ...(graceMs === undefined ? {} : { graceMs }),
        onProgress: progressAsReported("sweeping"),
      }),
      (r) => {
        if (r.wallets.length > 0)
          console.log(table(["wallet", "outcome", "USDC", "SOL", "transaction / reason"], r.wallets.map((l) => [l.public_key, l.outcome, usd(l.usdc), sol(l.lamports), l.signature ?? l.error ?? ""])))
        console.log(`${r.dry_run ? "would send" : "sent"} ${usd(r.total_usdc)} USDC and ${sol(r.total_lamports)} SOL to ${r.treasury} from ${r.dry_run ? r.wallets.filter((l) => l.outcome === "planned").length : r.swept} retired wallet(s)${r.failed > 0 ? `; ${r.failed} failed` : ""}`)
        return r.failed > 0 ? 1 : 0
      },
    )
  },
}

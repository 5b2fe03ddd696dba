// `tdk pool …`: wallet pool administration from the shell. Each command opens
// the configured database and keyring through the application Layer, so the
// same start-up checks apply (a missing master key on devnet/mainnet stops it).
import { Effect } from "effect"
import { MasterKeyConfigError } from "../modules/pool/keyring"
import { newMasterKeyLine } from "../platform/config/master-keys"
import { generateWallets, rotateMaster } from "../modules/pool/service"
import type { Args } from "./args"
import type { Command } from "./commands"
import { progress } from "./progress"
import { withCliRuntime } from "./runtime"
import type { AppServices } from "../app/layers"
import { Store } from "../store/store"

/** Runs `program` on a fresh runtime (migrating first when configured); start-up key problems exit 2. */
const runPool = async <A, E>(program: Effect.Effect<A, E, AppServices>): Promise<A | number> => {
  try {
    return await withCliRuntime({ sink: (line) => process.stderr.write(line + "\n") }, (runtime) => runtime.runPromise(program))
  } catch (e) {
    if (e instanceof MasterKeyConfigError) {
      process.stderr.write(`config error: ${e.message}\n`)
      return 2
    }
    throw e
  }
}

const countOf = (args: Args): number | undefined => {
  const raw = args.flags.count
  if (typeof raw !== "string" || !/^\d+$/.test(raw)) return undefined
  const n = Number(raw)
  return n >= 1 && n <= 100_000 ? n : undefined
}

export const poolGenerateCommand: Command = {
  words: ["pool", "generate"],
  summary: "Create N pool wallets, secrets sealed under the primary master key",
  options: [{ name: "count", value: "<1..100000>", description: "How many wallets to create (required)" }],
  example: "tdk pool generate --count 20",
  run: async (args) => {
    const count = countOf(args)
    if (count === undefined) {
      process.stderr.write("pool generate: --count must be an integer from 1 to 100000\n")
      return 2
    }
    const r = await runPool(generateWallets(count, { onProgress: progress("generating", count) }))
    if (typeof r === "number") return r
    console.log(`generated ${r.length} wallets`)
    return 0
  },
}

export const poolNewMasterKeyCommand: Command = {
  words: ["pool", "new-master-key"],
  summary: "Print a fresh master key line (id:hex) for WALLET_ENCRYPTION_KEYS",
  options: [{ name: "id", value: "<name>", description: "The key's id, to tell keys apart in WALLET_ENCRYPTION_KEYS (default k<date>)" }],
  example: "tdk pool new-master-key --id k2026q4",
  run: async (args) => {
    const id = typeof args.flags.id === "string" ? args.flags.id : `k${new Date().toISOString().slice(0, 10).replaceAll("-", "")}`
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
      process.stderr.write("pool new-master-key: --id must be 1-32 letters, digits, _ or -\n")
      return 2
    }
    console.log(newMasterKeyLine(id))
    process.stderr.write("Put this line FIRST in WALLET_ENCRYPTION_KEYS (keep the old keys after it), run `tdk pool rotate-master`, then drop the old keys. Store a copy offline: without it the wallets cannot be opened.\n")
    return 0
  },
}

export const poolRotateMasterCommand: Command = {
  words: ["pool", "rotate-master"],
  summary: "Re-encrypt every wallet and webhook signing secret under the primary master key (resumable batches)",
  options: [{ name: "batch", value: "<rows>", description: "Wallets re-encrypted per batch (default 200)" }],
  example: "WALLET_ENCRYPTION_KEYS=new:…,old:… tdk pool rotate-master",
  run: async (args) => {
    const batchSize = typeof args.flags.batch === "string" && /^\d+$/.test(args.flags.batch) ? Math.max(1, Math.min(10_000, Number(args.flags.batch))) : 200
    const r = await runPool(
      Effect.gen(function* () {
        // The bar's total is counted only where a bar is drawn (reading every row costs).
        const total = process.stderr.isTTY ? (yield* Effect.flatMap(Store, (s) => s.wallets.list())).length : 0
        return yield* rotateMaster({ batchSize, onBatch: progress("re-encrypting", total) })
      }),
    )
    if (typeof r === "number") return r
    const old = Object.entries(r.byKey).filter(([kid]) => kid !== r.primaryId)
    const remaining = old.reduce((a, [, n]) => a + n, 0)
    console.log(`re-encrypted ${r.resealed} of ${r.scanned} wallets under "${r.primaryId}" in ${r.batches} batches, and sealed ${r.webhookSecretsResealed} webhook signing secrets`)
    console.log(remaining === 0 ? "every wallet and webhook secret uses the primary key; older keys can be removed from WALLET_ENCRYPTION_KEYS" : `${remaining} rows still use an old key (or none): ${old.map(([k, n]) => `${k}=${n}`).join(", ")}`)
    if (r.unreadable.length > 0) console.log(`${r.unreadable.length} rows could not be opened with any configured key: ${r.unreadable.slice(0, 20).join(", ")}`)
    return remaining === 0 ? 0 : 1
  },
}

// The refill report: what each wallet needs to reach the configured targets,
// and the totals an operator transfers. Pure, integer-only: micro-USD and
// lamports. Retired wallets are left out (they are being drained, not fed),
// except those still holding a key's storage data (pool/rotation.ts), which
// keep paying that key's storage calls.
import type { WalletRow, WalletStatus } from "../../store/wallets/repo"

export type RefillTargets = {
  /** micro-USD */
  readonly usdc: number
  /** lamports */
  readonly lamports: number
}

export type RefillLine = {
  readonly wallet_id: string
  readonly public_key: string
  readonly status: WalletStatus
  /** micro-USD */
  readonly usdc_balance: number
  /** micro-USD to send to reach the target; 0 when at or above it. */
  readonly usdc_needed: number
  readonly lamports: number
  readonly lamports_needed: number
  /** ISO time of the last successful read; null when never read (balances are then unknown, shown as 0). */
  readonly last_balance_check_at: string | null
  readonly last_balance_error: string | null
}

export type RefillReport = {
  readonly target_usdc: number
  readonly target_lamports: number
  readonly wallets: ReadonlyArray<RefillLine>
  readonly total_usdc_needed: number
  readonly total_lamports_needed: number
}

// Sums in BigInt so no total is ever rounded; a total beyond 2^53 is refused
// rather than reported approximately.
const exact = (n: bigint, what: string): number => {
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`${what} exceeds 2^53`)
  return Number(n)
}

type Balances = Pick<WalletRow, "id" | "publicKey" | "status" | "usdcBalance" | "lamports" | "lastBalanceCheckAt" | "lastBalanceError">

export const refillReport = (wallets: ReadonlyArray<Balances>, targets: RefillTargets, storageHolders: ReadonlySet<string> = new Set()): RefillReport => {
  const lines: Array<RefillLine> = []
  let usdc = 0n
  let lamports = 0n
  for (const w of wallets) {
    if (w.status === "retired" && !storageHolders.has(w.id)) continue
    const usdcNeeded = Math.max(0, targets.usdc - w.usdcBalance)
    const lamportsNeeded = Math.max(0, targets.lamports - w.lamports)
    usdc += BigInt(usdcNeeded)
    lamports += BigInt(lamportsNeeded)
    lines.push({
      wallet_id: w.id,
      public_key: w.publicKey,
      status: w.status,
      usdc_balance: w.usdcBalance,
      usdc_needed: usdcNeeded,
      lamports: w.lamports,
      lamports_needed: lamportsNeeded,
      last_balance_check_at: w.lastBalanceCheckAt === null ? null : new Date(w.lastBalanceCheckAt).toISOString(),
      last_balance_error: w.lastBalanceError,
    })
  }
  return {
    target_usdc: targets.usdc,
    target_lamports: targets.lamports,
    wallets: lines,
    total_usdc_needed: exact(usdc, "total USDC needed"),
    total_lamports_needed: exact(lamports, "total lamports needed"),
  }
}

export const refillCsvColumns = ["wallet_id", "public_key", "status", "usdc_balance", "usdc_needed", "lamports", "lamports_needed", "last_balance_check_at", "last_balance_error"] as const

const csvField = (v: string | number | null): string => {
  if (v === null) return ""
  const s = String(v)
  // Quote what needs it, and defuse spreadsheet formulas in free text.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s
  return /[",\r\n']/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}

/** One header line and one line per wallet (RFC 4180, CRLF). Totals travel in the JSON form and in response headers, not as a row a transfer tool could mistake for a wallet. */
export const refillCsv = (report: RefillReport): string =>
  [
    refillCsvColumns.join(","),
    ...report.wallets.map((l) =>
      [l.wallet_id, l.public_key, l.status, l.usdc_balance, l.usdc_needed, l.lamports, l.lamports_needed, l.last_balance_check_at, l.last_balance_error].map(csvField).join(","),
    ),
  ].join("\r\n") + "\r\n"

// The money audit of one month: what an operator runs to know that every
// charge has its own payment and every count and bill agrees with the rows.
//   duplicate_signature / duplicate_intent: one payment serving two rows
//   settled_without_payment: a settled row whose own signature is not a
//     successful transaction on chain (or that has none)
//   counter_mismatch: a key's usage_periods row against its rows
//   stripe_flagged: billable rows Stripe refused or dropped
//   stripe_overdue: billable rows settled over an hour ago, still unreported
// Every finding but the last means money is off.
import { Clock, Effect } from "effect"
import { periodBounds } from "../../platform/period"
import { Store } from "../../store/store"
import type { KeyTotals } from "../../store/audit/repo"
import { Chain } from "../chain/service"

export type FindingKind = "duplicate_signature" | "duplicate_intent" | "settled_without_payment" | "counter_mismatch" | "stripe_flagged" | "stripe_overdue"

export type Finding = {
  readonly kind: FindingKind
  readonly severity: "error" | "warning"
  readonly detail: string
  /** The usage rows concerned (empty for a counter without rows). */
  readonly rowIds: ReadonlyArray<string>
  readonly keyId?: string
}

export type AuditReport = {
  readonly period: string
  readonly settledRowsChecked: number
  readonly findings: ReadonlyArray<Finding>
  /** No finding of error severity. */
  readonly ok: boolean
}

/** A billable row not reported this long after settling is overdue, ms: the reporter runs continuously. */
export const REPORT_GRACE_MS = 60 * 60_000
const PAGE = 500
/** Row ids listed per finding; the count is always whole. */
const MAX_IDS = 100

const groupShared = (kind: "duplicate_signature" | "duplicate_intent", rows: ReadonlyArray<{ id: string; value: string }>): Array<Finding> => {
  const groups = new Map<string, Array<string>>()
  for (const r of rows) groups.set(r.value, [...(groups.get(r.value) ?? []), r.id])
  return [...groups.entries()].map(([value, ids]) => ({
    kind,
    severity: "error",
    detail: `${ids.length} rows share ${kind === "duplicate_signature" ? "the transaction signature" : "the payment intent"} ${value}`,
    rowIds: ids,
  }))
}

/** Keys whose counters differ from their rows (a missing side counts as zero). */
export const counterMismatches = (counters: ReadonlyArray<KeyTotals>, rows: ReadonlyArray<KeyTotals>): Array<Finding> => {
  const byKey = new Map<string, { counter: KeyTotals | undefined; rows: KeyTotals | undefined }>()
  for (const c of counters) byKey.set(c.keyId, { counter: c, rows: undefined })
  for (const r of rows) byKey.set(r.keyId, { counter: byKey.get(r.keyId)?.counter, rows: r })
  const findings: Array<Finding> = []
  for (const [keyId, { counter, rows: fromRows }] of byKey) {
    const c = { ops: counter?.ops ?? 0, spend: counter?.spendMicroUsd ?? 0 }
    const r = { ops: fromRows?.ops ?? 0, spend: fromRows?.spendMicroUsd ?? 0 }
    if (c.ops === r.ops && c.spend === r.spend) continue
    findings.push({
      kind: "counter_mismatch",
      severity: "error",
      detail: `counters say ${c.ops} calls and ${c.spend} micro-USD; the rows say ${r.ops} calls and ${r.spend} micro-USD`,
      rowIds: [],
      keyId,
    })
  }
  return findings
}

export const auditPeriod = Effect.fn("Audit.period")(function* (period: string) {
  const store = yield* Store
  const chain = yield* Chain
  const now = yield* Clock.currentTimeMillis
  const range = { period, ...periodBounds(period) }
  const findings: Array<Finding> = []

  findings.push(...groupShared("duplicate_signature", yield* store.audit.sharedSignatures(range)))
  findings.push(...groupShared("duplicate_intent", yield* store.audit.sharedIntents(range)))

  // Settled rows against the chain, a page at a time.
  const unpaid: Array<string> = []
  let checked = 0
  for (let after: string | undefined = undefined; ; ) {
    const page: ReadonlyArray<{ id: string; txSignature: string | null }> = yield* store.audit.settledPage(range, after, PAGE)
    if (page.length === 0) break
    after = page.at(-1)!.id
    checked += page.length
    const signed = page.filter((r) => r.txSignature !== null)
    const states = yield* chain.getSignatureStatuses(signed.map((r) => r.txSignature!))
    unpaid.push(...page.filter((r) => r.txSignature === null).map((r) => r.id))
    signed.forEach((r, i) => {
      const state = states[i]
      if (state !== "processed" && state !== "confirmed" && state !== "finalized") unpaid.push(r.id)
    })
    if (page.length < PAGE) break
  }
  if (unpaid.length > 0) {
    findings.push({ kind: "settled_without_payment", severity: "error", detail: `${unpaid.length} settled rows have no successful payment of their own on chain`, rowIds: unpaid.slice(0, MAX_IDS) })
  }

  findings.push(...counterMismatches(yield* store.audit.counters(range), yield* store.audit.rowTotals(range)))

  const flagged = yield* store.audit.flagged(range)
  if (flagged.length > 0) {
    const reasons = [...new Set(flagged.map((r) => r.reason ?? "no reason recorded"))].slice(0, 5).join("; ")
    findings.push({ kind: "stripe_flagged", severity: "error", detail: `${flagged.length} billable rows were not accepted by Stripe: ${reasons}`, rowIds: flagged.slice(0, MAX_IDS).map((r) => r.id) })
  }
  const overdue = yield* store.audit.overdueReports(range, now - REPORT_GRACE_MS)
  if (overdue.length > 0) {
    findings.push({ kind: "stripe_overdue", severity: "warning", detail: `${overdue.length} billable rows settled over an hour ago are not reported to Stripe yet`, rowIds: overdue.slice(0, MAX_IDS).map((r) => r.id) })
  }

  return { period, settledRowsChecked: checked, findings, ok: findings.every((f) => f.severity !== "error") } satisfies AuditReport
})

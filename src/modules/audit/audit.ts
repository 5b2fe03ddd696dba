// The money audit of one month: what an operator runs to know that every
// charge has its own payment and every count and bill agrees with the rows.
//   duplicate_signature / duplicate_intent: one payment serving two rows
//   settled_without_payment: a settled row whose own signature is not a
//     successful transaction on chain (or that has none)
//   paid_without_charge: a failed (released) row whose signature succeeded
//     on chain: the pool paid and nobody was charged
//   counter_mismatch: a key's usage_periods row against its rows
//   stripe_flagged: billable rows Stripe refused or dropped
//   stripe_overdue: billable rows settled over an hour ago, still unreported
// Every finding but the last means money is off.
import { Clock, Effect } from "effect"
import { periodBounds } from "../../platform/period"
import { Store } from "../../store/store"
import type { BillingCounterMismatch, CounterMismatch, MonthRange, SettledPayment } from "../../store/audit/repo"
import type { StoreUnavailable } from "../../platform/db/errors"
import { Networks } from "../network/service"
import type { SignatureState } from "../chain/service"
import { ENVIRONMENTS } from "../../platform/environments"

export type FindingKind = "duplicate_signature" | "duplicate_intent" | "settled_without_payment" | "paid_without_charge" | "counter_mismatch" | "stripe_flagged" | "stripe_overdue"

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

const counterFinding = (m: CounterMismatch): Finding => ({
  kind: "counter_mismatch",
  severity: "error",
  detail:
    m.agentId === undefined
      ? `counters say ${m.counter.ops} calls and ${m.counter.spendMicroUsd} micro-USD; the rows say ${m.rows.ops} calls and ${m.rows.spendMicroUsd} micro-USD`
      : `day counters for agent ${m.agentId} say ${m.counter.ops} settled calls and ${m.counter.spendMicroUsd} micro-USD; the settled rows say ${m.rows.ops} calls and ${m.rows.spendMicroUsd} micro-USD`,
  rowIds: [],
  keyId: m.keyId,
})

const billingCounterFinding = (m: BillingCounterMismatch): Finding => {
  const off = Object.keys(m.counter).filter((c) => m.counter[c] !== m.rows[c])
  return {
    kind: "counter_mismatch",
    severity: "error",
    detail: `billing counters of user ${m.userId} differ from the settled rows: ${off.map((c) => `${c} ${m.counter[c]} (rows ${m.rows[c]})`).join(", ")}`,
    rowIds: [],
  }
}

// Landed: "processed" may still be dropped with its fork, but a settled row
// read as processed is not yet evidence of a missing payment either.
const landed = (state: SignatureState | undefined) => state === "processed" || state === "confirmed" || state === "finalized"

/** Rows of one page-wise read whose chain state matches `wanted` (rows without a signature count as no payment). */
const rowsByChainState = Effect.fn("Audit.rowsByChainState")(function* (
  page: (after: string | undefined) => Effect.Effect<ReadonlyArray<SettledPayment>, StoreUnavailable>,
  wanted: "no_payment" | "payment",
) {
  const networks = yield* Networks
  const found: Array<string> = []
  let checked = 0
  for (let after: string | undefined = undefined; ; ) {
    const rows: ReadonlyArray<SettledPayment> = yield* page(after)
    if (rows.length === 0) break
    after = rows.at(-1)!.id
    checked += rows.length
    if (wanted === "no_payment") found.push(...rows.filter((r) => r.txSignature === null).map((r) => r.id))
    // Each row against its own network's chain: test rows paid on the sandbox.
    for (const environment of ENVIRONMENTS) {
      const signed = rows.filter((r) => r.txSignature !== null && r.environment === environment)
      if (signed.length === 0) continue
      const states = yield* networks[environment].chain.getSignatureStatuses(signed.map((r) => r.txSignature!))
      signed.forEach((r, i) => {
        if (landed(states[i]) === (wanted === "payment")) found.push(r.id)
      })
    }
    if (rows.length < PAGE) break
  }
  return { found, checked }
})

export const auditPeriod = Effect.fn("Audit.period")(function* (period: string) {
  const store = yield* Store
  const now = yield* Clock.currentTimeMillis
  const range: MonthRange = { period, ...periodBounds(period) }
  const findings: Array<Finding> = []

  findings.push(...groupShared("duplicate_signature", yield* store.audit.sharedSignatures(range)))
  findings.push(...groupShared("duplicate_intent", yield* store.audit.sharedIntents(range)))

  // Settled rows against the chain, a page at a time; then released rows.
  const unpaid = yield* rowsByChainState((after) => store.audit.settledPage(range, after, PAGE), "no_payment")
  if (unpaid.found.length > 0) {
    findings.push({ kind: "settled_without_payment", severity: "error", detail: `${unpaid.found.length} settled rows have no successful payment of their own on chain`, rowIds: unpaid.found.slice(0, MAX_IDS) })
  }
  const uncharged = yield* rowsByChainState((after) => store.audit.failedSignedPage(range, after, PAGE), "payment")
  if (uncharged.found.length > 0) {
    findings.push({ kind: "paid_without_charge", severity: "error", detail: `${uncharged.found.length} released rows have a successful payment on chain: the pool paid and nobody was charged`, rowIds: uncharged.found.slice(0, MAX_IDS) })
  }
  const checked = unpaid.checked

  findings.push(...(yield* store.audit.counterMismatches(range)).map(counterFinding))
  findings.push(...(yield* store.audit.billingCounterMismatches(range)).map(billingCounterFinding))

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

// The developer events an invoice's outcome owes: only the keys it moved.
import { describe, expect, test } from "bun:test"
import { invoiceNotices } from "../../src/modules/billing/notices"
import type { KeyStatus } from "../../src/store/billing/repo"

const key = (id: string, status: string, statusReason: string | null = null): KeyStatus => ({ id, name: `name ${id}`, prefix: `tk_live_${id}…`, status, statusReason })
const invoice = { customerId: "cus_1", invoiceId: "in_1", subscriptionId: "sub_1", period: "2026-10" } as const

describe("invoice notices", () => {
  test("a failed payment: billing.payment_failed, and key.suspended for each key it moved from active to suspended only", () => {
    const before = [key("a", "active"), key("b", "suspended", "operator"), key("c", "revoked"), key("d", "active")]
    const after = [key("a", "suspended", "payment_failed"), key("b", "suspended", "operator"), key("c", "revoked"), key("d", "active")]
    const notices = invoiceNotices({ kind: "invoice_payment_failed", ...invoice }, 1_700_000_000_000)("usr_1", before, after)
    expect(notices).toEqual([
      { userId: "usr_1", type: "billing.payment_failed", data: { invoice_id: "in_1", period: "2026-10" }, eventId: "evt_payfail_in_1", at: 1_700_000_000_000 },
      { userId: "usr_1", type: "key.suspended", data: { key: { id: "a", name: "name a", prefix: "tk_live_a…" }, reason: "payment_failed" }, eventId: "evt_susp_a_in_1", at: 1_700_000_000_000 },
    ])
  })

  test("a paid invoice: key.reinstated for each key it moved from suspended to active, nothing else", () => {
    const before = [key("a", "suspended", "payment_failed"), key("b", "active"), key("c", "suspended", "operator")]
    const after = [key("a", "active"), key("b", "active"), key("c", "suspended", "operator")]
    expect(invoiceNotices({ kind: "invoice_paid", ...invoice }, 1_700_000_000_000)("usr_1", before, after)).toEqual([
      { userId: "usr_1", type: "key.reinstated", data: { key: { id: "a", name: "name a", prefix: "tk_live_a…" } }, eventId: "evt_reinst_a_in_1", at: 1_700_000_000_000 },
    ])
    expect(invoiceNotices({ kind: "invoice_paid", ...invoice }, 1_700_000_000_000)("usr_1", before, before)).toEqual([])
  })
})

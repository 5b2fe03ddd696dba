// What a Stripe payment event tells the developer's webhooks: a failed
// payment, and each key it suspended; a paid invoice, each key it reinstated.
// The user's keys before and after the event (read in its transaction) tell
// which moved. Pure: the notices are written with the event and queued after.
import type { KeyStatus, Notice, NoticesOf, WebhookEffect } from "../../store/billing/repo"
import { keyRef } from "../webhooks/events"

type InvoiceOutcome = Extract<WebhookEffect, { readonly kind: "invoice_payment_failed" | "invoice_paid" }>

export const isInvoiceOutcome = (effect: WebhookEffect): effect is InvoiceOutcome => effect.kind === "invoice_payment_failed" || effect.kind === "invoice_paid"

/** The notices of an invoice's outcome applied at `at`; each id names its fact (this invoice, this key), so a redelivery is the same event. */
export const invoiceNotices =
  (effect: InvoiceOutcome, at: number): NoticesOf =>
  (userId: string, before: ReadonlyArray<KeyStatus>, after: ReadonlyArray<KeyStatus>): ReadonlyArray<Notice> => {
    const was = new Map(before.map((k) => [k.id, k.status]))
    const moved = (from: string, to: string) => after.filter((k) => was.get(k.id) === from && k.status === to)
    const invoiceId = effect.invoiceId
    if (effect.kind === "invoice_payment_failed")
      return [
        { userId, type: "billing.payment_failed", data: { invoice_id: invoiceId, period: effect.period }, eventId: `evt_payfail_${invoiceId}`, at },
        ...moved("active", "suspended").map((k) => ({ userId, type: "key.suspended", data: { key: keyRef(k), reason: k.statusReason }, eventId: `evt_susp_${k.id}_${invoiceId}`, at })),
      ]
    return moved("suspended", "active").map((k) => ({ userId, type: "key.reinstated", data: { key: keyRef(k) }, eventId: `evt_reinst_${k.id}_${invoiceId}`, at }))
  }

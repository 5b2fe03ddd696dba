import { formatUsd } from "../../gateway/money"
import { html, type Html } from "../html"
import { csrfInput } from "../layout"

export type Account = {
  readonly tier: string
  readonly stripe_enabled: boolean
  readonly card: { readonly verified: boolean; readonly verified_at: string | null }
  readonly current_period: { readonly period: string; readonly ops: number; readonly total_usd: string; readonly billable_usd: string }
  readonly periods: ReadonlyArray<{ readonly period: string; readonly ops: number; readonly total_usd: string; readonly status: string }>
}

export type Invoice = {
  readonly number: string | null
  readonly period_start: string | null
  readonly period_end: string | null
  /** null for an invoice in another currency than USD. */
  readonly amount_due_micro_usd: number | null
  readonly currency: string
  readonly status: string | null
  readonly hosted_invoice_url: string | null
}

/** Stripe's hosted pages only: a link from Stripe's data is followed only if it is https. */
const hostedLink = (url: string | null) => (url !== null && url.startsWith("https://") ? html`<a href="${url}" rel="noopener noreferrer">View on Stripe</a>` : "")

/** Card entry through Stripe.js (console.js mounts Stripe's card element); shown only with a publishable key. */
const cardForm = (publishableKey: string, csrf: string): Html => html`<h2>Card</h2>
<form id="card-form" class="stack" data-publishable-key="${publishableKey}" data-setup-url="/console/billing/card" data-csrf="${csrf}">
<div id="card-element" class="card-element"></div>
<button type="submit">Save card</button>
<p id="card-message" role="status" class="muted"></p>
</form>`

/** `invoices` undefined: they could not be read just now (Stripe down), which is not "none". */
export const billingPage = (account: Account, invoices: ReadonlyArray<Invoice> | undefined, csrf: string, publishableKey?: string): Html => html`
<h1>Billing</h1>
<section class="card">
<div class="grid">
<div><div class="muted">Tier</div><div class="stat" data-testid="tier">${account.tier}</div></div>
<div><div class="muted">Card</div><div class="stat">${account.card.verified ? "verified" : "none"}</div></div>
<div><div class="muted">This month (${account.current_period.period})</div><div class="stat">$${account.current_period.total_usd}</div><div class="muted">${account.current_period.ops} calls · $${account.current_period.billable_usd} billable</div></div>
</div>
${
  account.stripe_enabled
    ? html`<h2>Plan</h2>
${account.tier === "free" || account.tier === "enterprise" ? "" : html`<form class="inline" method="post" action="/console/billing/cancel">${csrfInput(csrf)}<button type="submit" class="secondary">Cancel at period end</button></form>`}
${account.tier === "free" ? html`<form class="inline" method="post" action="/console/billing/subscribe">${csrfInput(csrf)}<label>Tier <select name="tier"><option value="paid">paid</option><option value="pro">pro</option></select></label><button type="submit">Subscribe</button></form>${account.card.verified ? "" : html`<p class="muted">Subscribing needs a verified card.</p>`}` : ""}
${publishableKey ? cardForm(publishableKey, csrf) : ""}`
    : html`<p class="muted">This gateway does not bill through Stripe: usage is recorded here only.</p>`
}
</section>
<section class="card">
<h2>Past periods</h2>
<div class="table-wrap"><table><thead><tr><th>Period</th><th class="num">Calls</th><th class="num">Total</th><th>Status</th></tr></thead><tbody>
${account.periods.map((p) => html`<tr><td>${p.period}</td><td class="num">${p.ops}</td><td class="num">$${p.total_usd}</td><td>${p.status}</td></tr>`)}
${account.periods.length === 0 ? html`<tr><td colspan="4" class="muted">No closed periods yet.</td></tr>` : ""}
</tbody></table></div>
<h2>Invoices</h2>
<div class="table-wrap"><table><thead><tr><th>Number</th><th>Period</th><th class="num">Amount</th><th>Status</th><th></th></tr></thead><tbody>
${(invoices ?? []).map(
  (i) => html`<tr><td>${i.number ?? "draft"}</td><td>${i.period_start?.slice(0, 10) ?? ""} – ${i.period_end?.slice(0, 10) ?? ""}</td><td class="num">${i.amount_due_micro_usd === null ? html`<span class="muted">in ${i.currency.toUpperCase()}, see Stripe</span>` : `$${formatUsd(i.amount_due_micro_usd)}`}</td><td>${i.status ?? ""}</td>
<td>${hostedLink(i.hosted_invoice_url)}</td></tr>`,
)}
${invoices === undefined ? html`<tr><td colspan="5" class="muted">Invoices cannot be read right now; try again shortly.</td></tr>` : invoices.length === 0 ? html`<tr><td colspan="5" class="muted">No invoices.</td></tr>` : ""}
</tbody></table></div>
</section>`

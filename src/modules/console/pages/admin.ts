import { formatUsd } from "../../gateway/money"
import { html, type Html } from "../html"
import { csrfInput } from "../layout"
import type { ListedKey } from "./keys"

export type PoolWallet = {
  readonly id: string
  readonly public_key: string
  readonly status: string
  readonly environment: string
  readonly usdc_balance: number
  readonly lamports: number
  readonly assigned_keys: number
  readonly last_balance_check_at: string | null
  readonly last_balance_error: string | null
}

const usd = (micro: number) => `$${formatUsd(micro)}`
const sol = (lamports: number) => `${(lamports / 1e9).toFixed(4)} SOL`

export const poolPage = (wallets: ReadonlyArray<PoolWallet>, refill: { readonly total_usdc_needed: number; readonly total_lamports_needed: number }, csrf: string): Html => {
  const paying = wallets.filter((w) => w.status !== "retired")
  const byStatus = new Map<string, number>()
  for (const w of wallets) byStatus.set(w.status, (byStatus.get(w.status) ?? 0) + 1)
  return html`
<h1>Wallet pool</h1>
<section class="card">
<div class="grid">
<div><div class="muted">Wallets</div><div class="stat" data-testid="pool-wallets">${wallets.length}</div><div class="muted">${[...byStatus.entries()].map(([s, n]) => `${n} ${s}`).join(" · ")}</div></div>
<div><div class="muted">USDC in the pool</div><div class="stat" data-testid="pool-usdc">${usd(paying.reduce((n, w) => n + w.usdc_balance, 0))}</div></div>
<div><div class="muted">SOL in the pool</div><div class="stat">${sol(paying.reduce((n, w) => n + w.lamports, 0))}</div></div>
<div><div class="muted">Refill needed</div><div class="stat">${usd(refill.total_usdc_needed)}</div><div class="muted">${sol(refill.total_lamports_needed)}</div></div>
</div>
<p><a href="/console/admin/pool/refill.csv" download="refill-report.csv" data-testid="refill-csv">Download the refill report (CSV)</a></p>
<form class="inline" method="post" action="/console/admin/pool/check">${csrfInput(csrf)}<button type="submit">Check balances now</button></form>
</section>
<section class="card">
<div class="table-wrap"><table data-testid="pool">
<thead><tr><th>Wallet</th><th>Public key</th><th>Env.</th><th>Status</th><th class="num">USDC</th><th class="num">SOL</th><th class="num">Keys</th><th>Last check</th><th>Last error</th></tr></thead>
<tbody>
${wallets.map(
  (w) => html`<tr><td class="mono">${w.id}</td><td class="mono">${w.public_key}</td><td>${w.environment}</td><td><span class="badge ${w.status}">${w.status}</span></td>
<td class="num">${usd(w.usdc_balance)}</td><td class="num">${sol(w.lamports)}</td><td class="num">${w.assigned_keys}</td>
<td>${w.last_balance_check_at ? w.last_balance_check_at.slice(0, 16).replace("T", " ") : html`<span class="muted">never</span>`}</td><td>${w.last_balance_error ?? ""}</td></tr>`,
)}
</tbody></table></div>
</section>`
}

export type ReconciliationLine = { readonly user_id: string; readonly settled_ops: number; readonly settled_micro_usd: number; readonly billable_micro_usd: number; readonly reported_micro_usd: number; readonly unreported_rows: number; readonly flagged_rows: number; readonly match: boolean }
export type AuditReport = { readonly ok: boolean; readonly settled_rows_checked: number; readonly findings: ReadonlyArray<{ readonly kind: string; readonly severity: string; readonly detail: string }> }

export const moneyPage = (period: string, reconciliation: { readonly users: ReadonlyArray<ReconciliationLine>; readonly match: boolean }, audit: AuditReport | { readonly error: string }): Html => html`
<h1>Money, ${period}</h1>
<form class="inline" method="get" action="/console/admin/money"><label>Month <input name="period" pattern="\\d{4}-\\d{2}" value="${period}"></label><button type="submit" class="secondary">Show</button></form>
<section class="card">
<h2>Reconciliation with Stripe ${reconciliation.match ? html`<span class="badge active">matches</span>` : html`<span class="badge failed">does not match</span>`}</h2>
<div class="table-wrap"><table data-testid="reconciliation">
<thead><tr><th>User</th><th class="num">Calls</th><th class="num">Settled</th><th class="num">Billable</th><th class="num">Stripe holds</th><th class="num">Unreported rows</th><th class="num">Flagged rows</th><th>Match</th></tr></thead>
<tbody>
${reconciliation.users.map(
  (u) => html`<tr><td class="mono">${u.user_id}</td><td class="num">${u.settled_ops}</td><td class="num">${usd(u.settled_micro_usd)}</td><td class="num">${usd(u.billable_micro_usd)}</td><td class="num">${usd(u.reported_micro_usd)}</td><td class="num">${u.unreported_rows}</td><td class="num">${u.flagged_rows}</td><td>${u.match ? "yes" : html`<strong>no</strong>`}</td></tr>`,
)}
${reconciliation.users.length === 0 ? html`<tr><td colspan="8" class="muted">No settled usage this month.</td></tr>` : ""}
</tbody></table></div>
</section>
<section class="card">
<h2>Audit</h2>
${
  "error" in audit
    ? html`<p class="flash error">${audit.error}</p>`
    : html`<p>${audit.ok ? html`<span class="badge active">ok</span>` : html`<span class="badge failed">money is off</span>`} ${audit.settled_rows_checked} settled rows checked on chain.</p>
<ul>${audit.findings.map((f) => html`<li><span class="badge ${f.severity === "error" ? "failed" : "pending"}">${f.kind}</span> ${f.detail}</li>`)}</ul>`
}
</section>`

/** A key as GET /admin/keys lists it: no month's counts (the developer's own listing has them). */
export type AdminKey = Omit<ListedKey, "ops_this_month" | "spend_this_month_micro_usd"> & {
  readonly user_id: string
  /** The key's own limits where set (null: the tier's), when the listing carries them. */
  readonly overrides?: { readonly rate_limit_per_minute: number | null; readonly monthly_quota: number | null; readonly concurrency_limit: number | null; readonly monthly_spend_cap_micro_usd: number | null }
}
export type AdminUser = { readonly id: string; readonly email: string; readonly tier: string }

export const adminKeysPage = (query: string, users: ReadonlyArray<AdminUser>, keys: ReadonlyArray<AdminKey>, csrf: string, truncated: boolean): Html => {
  const emails = new Map(users.map((u) => [u.id, u.email]))
  return html`
<h1>Users and keys</h1>
<form class="inline" method="get" action="/console/admin/keys" role="search"><label>Search (e-mail, key name, prefix or id) <input name="q" type="search" value="${query}"></label><button type="submit" class="secondary">Search</button></form>
${truncated ? html`<p class="muted">Showing matches among the first 500 users and keys.</p>` : ""}
<section class="card">
<div class="table-wrap"><table data-testid="admin-keys">
<thead><tr><th>User</th><th>Key</th><th>Env.</th><th>Tier</th><th>Status</th><th>Change</th></tr></thead>
<tbody>
${keys.map(
  (k) => html`<tr data-key-id="${k.id}"><td>${emails.get(k.user_id) ?? k.user_id}</td><td>${k.name} <span class="mono muted">${k.prefix}</span></td><td>${k.environment}</td><td>${k.tier}</td>
<td><span class="badge ${k.status}">${k.status}</span>${k.status_reason ? html` <span class="muted">${k.status_reason}</span>` : ""}</td>
<td>${
    k.status === "revoked"
      ? ""
      : html`<form class="inline" method="post" action="/console/admin/keys/${k.id}/tier">${csrfInput(csrf)}<label>Tier <select name="tier">${["free", "paid", "pro", "enterprise"].map((t) => html`<option${t === k.tier ? html` selected` : ""}>${t}</option>`)}</select></label><button type="submit" class="secondary">Set</button></form>
<details><summary>Limits…</summary><form class="stack" method="post" action="/console/admin/keys/${k.id}/limits">${csrfInput(csrf)}
<p class="muted">Empty: the tier's limit. Applies now: ${k.limits.rate_limit_per_minute}/min, quota ${k.limits.monthly_quota ?? "none"}, ${k.limits.concurrency} at once, cap ${k.limits.monthly_spend_cap_micro_usd ?? "none"}.</p>
<label>Calls per minute <input name="rate_limit_per_minute" inputmode="numeric" value="${k.overrides?.rate_limit_per_minute ?? ""}"></label>
<label>Monthly quota (calls) <input name="monthly_quota" inputmode="numeric" value="${k.overrides?.monthly_quota ?? ""}"></label>
<label>Concurrency <input name="concurrency_limit" inputmode="numeric" value="${k.overrides?.concurrency_limit ?? ""}"></label>
<label>Monthly spend cap (micro-USD) <input name="monthly_spend_cap_micro_usd" inputmode="numeric" value="${k.overrides?.monthly_spend_cap_micro_usd ?? ""}"></label>
<button type="submit" class="secondary">Save limits</button></form></details>
${
  k.status === "suspended"
    ? html`<form class="inline" method="post" action="/console/admin/keys/${k.id}/reinstate">${csrfInput(csrf)}<button type="submit">Reinstate</button></form>`
    : html`<form class="inline" method="post" action="/console/admin/keys/${k.id}/suspend">${csrfInput(csrf)}<label>Reason <input name="reason" required maxlength="200"></label><button type="submit" class="danger">Suspend</button></form>`
}`
  }</td></tr>`,
)}
${keys.length === 0 ? html`<tr><td colspan="6" class="muted">No keys match.</td></tr>` : ""}
</tbody></table></div>
</section>`
}

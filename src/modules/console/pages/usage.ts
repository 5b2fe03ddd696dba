import { formatUsd } from "../../gateway/money"
import { agentColours, dailyChart, type DayPoint } from "../chart"
import { html, trusted, type Html } from "../html"
import type { ListedKey } from "./keys"

export type HistoryRow = {
  readonly id: string
  readonly key_id: string
  readonly agent: { readonly name: string }
  readonly developer_price_micro_usd: number
  readonly state: string
  readonly tx_signature: string | null
  readonly receipt_id: string | null
  readonly created_at: string
  readonly settled_at: string | null
}

const usd = (micro: number) => `$${formatUsd(micro)}`

const meter = (label: string, used: number, limit: number | null, show: (n: number) => string): Html => {
  const share = limit === null || limit === 0 ? 0 : Math.min(100, Math.round((used / limit) * 100))
  return html`<div class="meter"><span>${label}: <strong>${show(used)}</strong> ${limit === null ? html`<span class="muted">(no limit)</span>` : html`of ${show(limit)}`}</span>
${limit === null ? "" : html`<div class="bar" role="meter" aria-label="${label}" aria-valuemin="0" aria-valuemax="${limit}" aria-valuenow="${used}"><span class="w${share}"></span></div>`}</div>`
}

const latency = (r: HistoryRow) => (r.settled_at ? `${Date.parse(r.settled_at) - Date.parse(r.created_at)} ms` : "")

export const usagePage = (keys: ReadonlyArray<ListedKey>, daily: { readonly from: string; readonly to: string; readonly points: ReadonlyArray<DayPoint> }, history: ReadonlyArray<HistoryRow>): Html => {
  const live = keys.filter((k) => k.status !== "revoked")
  const totalCalls = keys.reduce((n, k) => n + k.ops_this_month, 0)
  const totalSpend = keys.reduce((n, k) => n + k.spend_this_month_micro_usd, 0)
  const names = new Map(keys.map((k) => [k.id, k.name]))
  return html`
<h1>Usage</h1>
<section class="card">
<h2>This month (UTC)</h2>
<div class="grid">
<div><div class="muted">Calls</div><div class="stat" data-testid="month-calls">${totalCalls}</div></div>
<div><div class="muted">Spend</div><div class="stat" data-testid="month-spend">${usd(totalSpend)}</div></div>
</div>
${live.map(
  (k) => html`<h3>${k.name} <span class="muted mono">${k.prefix}</span></h3>
${meter("Calls", k.ops_this_month, k.limits.monthly_quota, String)}
${meter("Spend", k.spend_this_month_micro_usd, k.limits.monthly_spend_cap_micro_usd, usd)}`,
)}
</section>
<section class="card">
<h2>Daily calls, ${daily.from} to ${daily.to}</h2>
${trusted(dailyChart(daily.points, daily.from, daily.to))}
<p class="legend">${agentColours(daily.points).map((c) => html`<span><i class="c${c.index}"></i>${c.agent}</span>`)}</p>
</section>
<section class="card">
<h2>Recent calls</h2>
<div class="table-wrap"><table data-testid="recent-calls">
<thead><tr><th>Time (UTC)</th><th>Key</th><th>Agent</th><th class="num">Cost</th><th>Status</th><th class="num">Latency</th><th>Receipt</th><th>Transaction</th></tr></thead>
<tbody>
${history.map(
  (r) => html`<tr><td><time datetime="${r.created_at}">${r.created_at.slice(0, 19).replace("T", " ")}</time></td><td>${names.get(r.key_id) ?? r.key_id}</td><td>${r.agent.name}</td>
<td class="num">${usd(r.developer_price_micro_usd)}</td><td><span class="badge ${r.state}">${r.state}</span></td><td class="num">${latency(r)}</td>
<td class="mono">${r.receipt_id ?? ""}</td><td class="mono" title="${r.tx_signature ?? ""}">${r.tx_signature ? `${r.tx_signature.slice(0, 10)}…` : ""}</td></tr>`,
)}
${history.length === 0 ? html`<tr><td colspan="8" class="muted">No calls yet.</td></tr>` : ""}
</tbody></table></div>
</section>`
}

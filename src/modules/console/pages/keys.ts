import { html, type Html } from "../html"
import { csrfInput } from "../layout"

export type ListedKey = {
  readonly id: string
  readonly name: string
  readonly prefix: string
  readonly environment: string
  readonly tier: string
  readonly status: string
  readonly status_reason: string | null
  readonly created_at: string
  readonly last_used_at: string | null
  readonly ops_this_month: number
  readonly spend_this_month_micro_usd: number
  readonly limits: { readonly monthly_quota: number | null; readonly monthly_spend_cap_micro_usd: number | null; readonly rate_limit_per_minute: number; readonly concurrency: number }
}

const when = (iso: string | null) => (iso ? html`<time datetime="${iso}">${iso.slice(0, 16).replace("T", " ")}</time>` : html`<span class="muted">never</span>`)

/** The secret, shown once, with a copy button. */
export const secretOnce = (label: string, secret: string): Html => html`
<section class="card" aria-live="polite">
<h2>${label}</h2>
<p>Copy it now: it is shown once and cannot be shown again.</p>
<div class="secret"><code id="new-secret" data-testid="new-secret">${secret}</code><button type="button" class="secondary" data-copy="new-secret">Copy</button></div>
</section>`

export const keysPage = (keys: ReadonlyArray<ListedKey>, csrf: string, shown?: Html): Html => html`
<h1>API keys</h1>
${shown ?? ""}
<section class="card">
<h2>Create a key</h2>
<form class="inline" method="post" action="/console/keys">
${csrfInput(csrf)}
<label>Name <input name="name" required maxlength="100" placeholder="production"></label>
<label>Environment <select name="environment"><option value="live">live</option><option value="test">test (sandbox, never billed)</option></select></label>
<button type="submit">Create key</button>
</form>
</section>
<section class="card">
<h2>Your keys</h2>
<div class="table-wrap"><table>
<thead><tr><th>Name</th><th>Key</th><th>Env.</th><th>Status</th><th>Created</th><th>Last used</th><th class="num">Calls this month</th><th>Actions</th></tr></thead>
<tbody>
${keys.map(
  (k) => html`<tr data-key-id="${k.id}">
<td>${k.name}</td><td class="mono">${k.prefix}</td><td>${k.environment}</td>
<td><span class="badge ${k.status}">${k.status}</span>${k.status_reason ? html` <span class="muted">${k.status_reason}</span>` : ""}</td>
<td>${when(k.created_at)}</td><td>${when(k.last_used_at)}</td><td class="num">${k.ops_this_month}</td>
<td>${
    k.status === "revoked"
      ? ""
      : html`<form class="inline" method="post" action="/console/keys/${k.id}/roll">${csrfInput(csrf)}<label>Grace <select name="grace_seconds"><option value="0">none</option><option value="3600">1 hour</option><option value="86400">1 day</option></select></label><button type="submit" class="secondary">Roll</button></form>
<a href="/console/keys/${k.id}/revoke">Revoke…</a>`
  }</td>
</tr>`,
)}
</tbody></table></div>
</section>`

export const revokeConfirm = (key: ListedKey, csrf: string): Html => html`
<h1>Revoke ${key.name}?</h1>
<section class="card">
<p>The key <span class="mono">${key.prefix}</span> stops working at once: every call with it gets 401. This cannot be undone.</p>
<form class="inline" method="post" action="/console/keys/${key.id}/revoke">${csrfInput(csrf)}<button type="submit" class="danger">Revoke key</button> <a href="/console/keys">Cancel</a></form>
</section>`

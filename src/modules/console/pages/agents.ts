import { html, type Html } from "../html"

type Price = { readonly token: string; readonly developer_micro_usd: number; readonly developer_usd: string; readonly agent_micro_usd: number; readonly markup_micro_usd: number }
export type AgentSummary = { readonly id: string; readonly name: string; readonly description: string; readonly aliases: ReadonlyArray<string>; readonly price: Price; readonly beta: boolean }
export type AgentDetail = AgentSummary & { readonly input_schema: unknown; readonly output_schema: unknown; readonly examples: ReadonlyArray<Record<string, unknown>> }

const nameFor = (a: AgentSummary) => a.aliases[0] ?? a.id

export const agentsPage = (agents: ReadonlyArray<AgentSummary>): Html => html`
<h1>Agents</h1>
<section class="card">
<p class="muted">What one call costs you: the agent's price plus the markup, charged once per paid call.</p>
<div class="table-wrap"><table data-testid="agents">
<thead><tr><th>Agent</th><th>Call it as</th><th>Description</th><th class="num">Per call</th><th class="num">micro-USD</th></tr></thead>
<tbody>
${agents.map(
  (a) => html`<tr><td><a href="/console/agents/${encodeURIComponent(a.id)}">${a.name}</a>${a.beta ? html` <span class="badge">beta</span>` : ""}</td><td class="mono">${nameFor(a)}</td><td>${a.description}</td>
<td class="num">$${a.price.developer_usd}</td><td class="num">${a.price.developer_micro_usd}</td></tr>`,
)}
${agents.length === 0 ? html`<tr><td colspan="5" class="muted">The marketplace lists no agents.</td></tr>` : ""}
</tbody></table></div>
</section>`

/** A POSIX shell single-quoted word: the example is the agent publisher's text, so a quote in it must not end the word. */
export const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`

const curlSnippet = (base: string, a: AgentDetail) =>
  `curl -s ${shellQuote(`${base}/v1/agents/${nameFor(a)}`)} \\\n  -H "authorization: Bearer $TDK_API_KEY" \\\n  -H "content-type: application/json" \\\n  -d ${shellQuote(JSON.stringify(a.examples[0] ?? {}))}`

const tsSnippet = (base: string, a: AgentDetail) =>
  `const response = await fetch(${JSON.stringify(`${base}/v1/agents/${nameFor(a)}`)}, {
  method: "POST",
  headers: { authorization: \`Bearer \${process.env.TDK_API_KEY}\`, "content-type": "application/json" },
  body: JSON.stringify(${JSON.stringify(a.examples[0] ?? {})}),
})
const { output, usage, receipt } = await response.json()`

export const agentPage = (a: AgentDetail, base: string): Html => html`
<h1>${a.name}</h1>
<section class="card">
<p>${a.description}</p>
<div class="grid">
<div><div class="muted">You pay per call</div><div class="stat" data-testid="agent-price">$${a.price.developer_usd}</div><div class="muted">${a.price.developer_micro_usd} micro-USD</div></div>
<div><div class="muted">Agent price + markup</div><div>${a.price.agent_micro_usd} + ${a.price.markup_micro_usd} micro-USD (${a.price.token})</div></div>
<div><div class="muted">Call it as</div><div class="mono">${[a.id, ...a.aliases].join(", ")}</div></div>
</div>
</section>
<section class="card"><h2>curl</h2><pre id="snippet-curl">${curlSnippet(base, a)}</pre><button type="button" class="secondary" data-copy="snippet-curl">Copy</button></section>
<section class="card"><h2>TypeScript</h2><pre id="snippet-ts">${tsSnippet(base, a)}</pre><button type="button" class="secondary" data-copy="snippet-ts">Copy</button></section>
<section class="card"><h2>Input schema</h2><pre>${JSON.stringify(a.input_schema, null, 2)}</pre>
<h2>Output schema</h2><pre>${JSON.stringify(a.output_schema, null, 2)}</pre>
<h2>Examples</h2>${a.examples.length === 0 ? html`<p class="muted">None published.</p>` : a.examples.map((e) => html`<pre>${JSON.stringify(e, null, 2)}</pre>`)}</section>`

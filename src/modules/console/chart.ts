// The usage chart, drawn here as SVG: one column per UTC day from `from` to
// `to`, stacked by agent (calls), each segment titled with its figures for
// screen readers and hover. No chart library reaches the browser.
import { formatUsd } from "../gateway/money"
import { escapeHtml } from "./html"

export type DayPoint = { readonly day: string; readonly agent: string; readonly calls: number; readonly spendMicroUsd: number }

export const PALETTE = ["#2456d3", "#0e9384", "#c4320a", "#7a5af8", "#ca8504", "#dd2590", "#475467"]

const daysBetween = (from: string, to: string): Array<string> => {
  const out: Array<string> = []
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`) && out.length < 400; t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10))
  return out
}

/** Agents in a stable order (most calls first) with their colours. */
export const agentColours = (points: ReadonlyArray<DayPoint>): ReadonlyArray<{ readonly agent: string; readonly colour: string; readonly index: number }> => {
  const totals = new Map<string, number>()
  for (const p of points) totals.set(p.agent, (totals.get(p.agent) ?? 0) + p.calls)
  return [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([agent], i) => ({ agent, colour: PALETTE[i % PALETTE.length]!, index: i % PALETTE.length }))
}

export const dailyChart = (points: ReadonlyArray<DayPoint>, from: string, to: string): string => {
  const days = daysBetween(from, to)
  const colours = new Map(agentColours(points).map((c) => [c.agent, c.colour]))
  const byDay = new Map<string, Array<DayPoint>>()
  for (const p of points) byDay.set(p.day, [...(byDay.get(p.day) ?? []), p])
  const max = Math.max(1, ...days.map((d) => (byDay.get(d) ?? []).reduce((n, p) => n + p.calls, 0)))
  const width = 720
  const height = 220
  const left = 36
  const bottom = 24
  const plotH = height - bottom - 8
  const step = (width - left - 4) / Math.max(1, days.length)
  const bar = Math.max(2, step * 0.7)
  const parts: Array<string> = []
  parts.push(`<line x1="${left}" y1="${8 + plotH}" x2="${width - 4}" y2="${8 + plotH}" stroke="#d9dee5"/>`)
  parts.push(`<text x="${left - 6}" y="14" text-anchor="end">${max}</text><text x="${left - 6}" y="${8 + plotH}" text-anchor="end">0</text>`)
  days.forEach((day, i) => {
    const x = left + i * step + (step - bar) / 2
    let y = 8 + plotH
    for (const p of (byDay.get(day) ?? []).slice().sort((a, b) => a.agent.localeCompare(b.agent))) {
      const h = (p.calls / max) * plotH
      y -= h
      parts.push(
        `<rect class="point" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${bar.toFixed(1)}" height="${Math.max(1, h).toFixed(1)}" fill="${colours.get(p.agent)}"><title>${escapeHtml(`${day} · ${p.agent}: ${p.calls} call${p.calls === 1 ? "" : "s"}, $${formatUsd(p.spendMicroUsd)}`)}</title></rect>`,
      )
    }
    if (i === 0 || i === days.length - 1 || (days.length > 10 && i % Math.ceil(days.length / 6) === 0)) parts.push(`<text x="${(x + bar / 2).toFixed(1)}" y="${height - 6}" text-anchor="middle">${day.slice(5)}</text>`)
  })
  const total = points.reduce((n, p) => n + p.calls, 0)
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(`Settled calls per day from ${from} to ${to}: ${total} in all`)}">${parts.join("")}</svg>`
}

/** The rules the pages' classes need where a style attribute would break the CSP: bar widths and legend colours. */
export const generatedCss = (): string =>
  [...Array.from({ length: 101 }, (_, i) => `.meter .bar span.w${i}{width:${i}%}`), ...PALETTE.map((c, i) => `.legend i.c${i}{background:${c}}`)].join("\n")

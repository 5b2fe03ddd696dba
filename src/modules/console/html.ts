// HTML built from template literals where every interpolated value is
// escaped unless it is already Html (a fragment built the same way). Pages
// never concatenate strings into markup by hand.

const HTML = Symbol("html")
export type Html = { readonly [HTML]: true; readonly text: string }

const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => escapes[c]!)

const isHtml = (v: unknown): v is Html => typeof v === "object" && v !== null && HTML in v

type Value = Html | string | number | boolean | null | undefined | ReadonlyArray<Value>

const render = (v: Value): string => {
  if (v === null || v === undefined || v === false) return ""
  if (Array.isArray(v)) return v.map(render).join("")
  if (isHtml(v)) return v.text
  return escapeHtml(String(v))
}

export const html = (strings: TemplateStringsArray, ...values: ReadonlyArray<Value>): Html => ({
  [HTML]: true,
  text: strings.reduce((out, s, i) => out + s + (i < values.length ? render(values[i] as Value) : ""), ""),
})

/** Markup produced elsewhere and trusted as is (an SVG this module drew). */
export const trusted = (text: string): Html => ({ [HTML]: true, text })

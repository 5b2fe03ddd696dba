// Upstream text is worth passing on (it names the bad field, the failing
// check) but it is foreign input: bounded in length, stripped of anything
// secret-shaped, and never carrying our own configured URLs, which may hold
// credentials (user:pass@host, ?api-key=).
import { redactString } from "../../platform/logging/redact"

export const UPSTREAM_TEXT_LIMIT = 300

/** Removes every occurrence of the given URLs (and their origins) from `text`. */
export const withoutUrls = (text: string, urls: ReadonlyArray<string>): string => {
  let out = text
  for (const raw of urls) {
    const forms = new Set<string>([raw])
    try {
      const u = new URL(raw)
      forms.add(u.origin)
      forms.add(u.host)
      if (u.username || u.password) forms.add(`${u.username}${u.password ? `:${u.password}` : ""}`)
      if (u.search) forms.add(u.search)
    } catch {
      /* not a URL: the raw string alone */
    }
    for (const f of [...forms].filter((f) => f.length > 0).sort((a, b) => b.length - a.length)) out = out.split(f).join("<upstream>")
  }
  return out
}

/** Bounded, scrubbed text fit for an error detail shown to the developer (redactString also hides any URL's credentials and query). */
export const upstreamText = (text: string, urls: ReadonlyArray<string> = []): string => {
  const clean = redactString(withoutUrls(text, urls)).replace(/\s+/g, " ").trim()
  return clean.length > UPSTREAM_TEXT_LIMIT ? `${clean.slice(0, UPSTREAM_TEXT_LIMIT)}…` : clean
}

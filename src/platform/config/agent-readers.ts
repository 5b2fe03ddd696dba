import { isUuid } from "../ids"
import type { Read } from "./parse"

export const uuid: Read<string | undefined> = (raw) =>
  isUuid(raw.trim()) ? { ok: true, value: raw.trim().toLowerCase() } : { ok: false, expected: "an agent UUID" }

export const uuidList: Read<ReadonlyArray<string>> = (raw) => {
  const items = raw.split(",").map((s) => s.trim()).filter((s) => s.length > 0)
  return items.every(isUuid) ? { ok: true, value: items.map((s) => s.toLowerCase()) } : { ok: false, expected: "comma-separated agent UUIDs" }
}

export const aliasMap: Read<Readonly<Record<string, string>>> = (raw) => {
  const expected = 'a JSON object of alias → agent UUID, e.g. {"warmmemory":"7c0e8a52-…"} (aliases: letters, digits, - and _)'
  try {
    const parsed = JSON.parse(raw) as unknown
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return { ok: false, expected }
    const out: Record<string, string> = {}
    for (const [k, v] of Object.entries(parsed)) {
      if (!/^[a-z0-9_-]{1,64}$/i.test(k) || typeof v !== "string" || !isUuid(v)) return { ok: false, expected }
      out[k.toLowerCase()] = v.toLowerCase()
    }
    return { ok: true, value: out }
  } catch {
    return { ok: false, expected }
  }
}

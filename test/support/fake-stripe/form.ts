// Decodes the form bodies the stripe SDK sends (`a[b][0][c]=v`) into nested
// objects; all-numeric keys become arrays, as Stripe reads them.
type Node = { [k: string]: Node | string }

const toArrays = (node: Node | string): unknown => {
  if (typeof node === "string") return node
  const keys = Object.keys(node)
  const values = Object.fromEntries(keys.map((k) => [k, toArrays(node[k]!)]))
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) return keys.sort((a, b) => Number(a) - Number(b)).map((k) => values[k])
  return values
}

export const parseForm = (body: string): Record<string, any> => {
  const root: Node = {}
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const parts = rawKey.replace(/\]/g, "").split("[")
    let node = root
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node[part] = value
      else {
        const next = node[part]
        node = (typeof next === "object" ? next : (node[part] = {})) as Node
      }
    })
  }
  return toArrays(root) as Record<string, any>
}

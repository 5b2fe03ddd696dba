// A pure function's answers, remembered by a string key and bounded: the
// least recently used answer goes first (a Map iterates in insertion order,
// and a hit is re-inserted at the end), so a stream of distinct keys cannot
// grow memory while the few keys in constant use stay warm.

export type Memo<V> = {
  readonly get: (key: string, compute: () => V) => V
  readonly size: () => number
}

export const boundedMemo = <V>(max: number): Memo<V> => {
  const entries = new Map<string, V>()
  return {
    get: (key, compute) => {
      const hit = entries.get(key)
      if (hit !== undefined) {
        entries.delete(key)
        entries.set(key, hit)
        return hit
      }
      const value = compute()
      entries.set(key, value)
      if (entries.size > max) entries.delete(entries.keys().next().value!)
      return value
    },
    size: () => entries.size,
  }
}

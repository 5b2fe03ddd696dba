// A pure function's answers, remembered by a string key and bounded. Two
// generations approximate least-recently-used without reordering on every
// hit: answers land in the young map; when it is full it becomes the old one
// (the previous old one is dropped), and an answer found only in the old map
// moves back to the young. Keys in constant use are never lost, a stream of
// distinct keys cannot hold more than `max` answers, and a hit is one lookup.

export type Memo<V> = {
  readonly get: (key: string, compute: () => V) => V
  readonly size: () => number
}

export const boundedMemo = <V>(max: number): Memo<V> => {
  const generation = Math.max(1, Math.floor(max / 2))
  let young = new Map<string, V>()
  let old = new Map<string, V>()
  const remember = (key: string, value: V) => {
    if (young.size >= generation) {
      old = young
      young = new Map()
    }
    young.set(key, value)
  }
  return {
    get: (key, compute) => {
      const hit = young.get(key)
      if (hit !== undefined) return hit
      const aged = old.get(key)
      if (aged !== undefined) {
        old.delete(key)
        remember(key, aged)
        return aged
      }
      const value = compute()
      remember(key, value)
      return value
    },
    size: () => young.size + old.size,
  }
}

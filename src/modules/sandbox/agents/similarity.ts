// Deterministic question matching for the Q&A agent: Jaccard overlap of
// normalised word sets. Confidence is a display score in [0, 1], not money.
const stop = new Set(["a", "an", "the", "is", "are", "of", "to", "in", "on", "for", "and", "or", "what", "how", "do", "does", "i", "my", "me", "you", "it"])

export const normalizeQuestion = (q: string): string => q.toLowerCase().replace(/[^\p{L}\p{N}\s]/gu, " ").replace(/\s+/g, " ").trim()

const words = (q: string): Set<string> => {
  const all = normalizeQuestion(q).split(" ").filter((w) => w.length > 0)
  const meaningful = all.filter((w) => !stop.has(w))
  return new Set(meaningful.length > 0 ? meaningful : all)
}

export const similarity = (a: string, b: string): number => {
  const x = words(a)
  const y = words(b)
  if (x.size === 0 && y.size === 0) return 1
  let common = 0
  for (const w of x) if (y.has(w)) common++
  const union = x.size + y.size - common
  return union === 0 ? 0 : Math.round((common / union) * 100) / 100
}

// The message bytes of a serialized legacy transaction, cut from the wire as
// received (no re-encoding), or undefined when the bytes are not exactly one
// well-formed legacy message after the signature slots.

/** Solana's compact-u16: 1 to 3 bytes, 7 bits each. */
const shortVec = (bytes: Uint8Array, at: number): { value: number; next: number } | undefined => {
  let value = 0
  for (let i = 0; i < 3; i++) {
    const b = bytes[at + i]
    if (b === undefined) return undefined
    value |= (b & 0x7f) << (7 * i)
    if ((b & 0x80) === 0) return { value, next: at + i + 1 }
  }
  return undefined
}

export const wireMessage = (wire: Uint8Array): Uint8Array | undefined => {
  const sigs = shortVec(wire, 0)
  if (!sigs) return undefined
  const start = sigs.next + sigs.value * 64
  if (wire[start] !== undefined && (wire[start]! & 0x80) !== 0) return undefined // versioned
  let at = start + 3
  const accounts = shortVec(wire, at)
  if (!accounts) return undefined
  at = accounts.next + accounts.value * 32 + 32 // keys, then the recent blockhash
  const instructions = shortVec(wire, at)
  if (!instructions) return undefined
  at = instructions.next
  for (let i = 0; i < instructions.value; i++) {
    at += 1 // program id index
    const accountIndexes = shortVec(wire, at)
    if (!accountIndexes) return undefined
    at = accountIndexes.next + accountIndexes.value
    const data = shortVec(wire, at)
    if (!data) return undefined
    at = data.next + data.value
  }
  // Trailing bytes would be signed without having been checked: refuse them.
  return at === wire.length ? wire.subarray(start) : undefined
}

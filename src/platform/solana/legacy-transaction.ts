// A serialized legacy Solana transaction read straight from its wire bytes:
// the header, account keys and compiled instructions as slices of the input,
// plus the message bytes exactly as received (they are what gets signed).
// web3.js's Transaction.from does the same work through PublicKey objects and
// base58 round trips of every instruction's data (about 200 µs a call); this
// reader allocates a few small arrays and never re-encodes anything.
//
// Wire layout: shortvec signature count, 64-byte signatures, then the
// message: header (3 bytes), shortvec account count, 32-byte keys, 32-byte
// recent blockhash, shortvec instruction count, and per instruction a program
// index, shortvec account indexes, shortvec data.

export type CompiledInstruction = {
  readonly programIndex: number
  readonly accountIndexes: ReadonlyArray<number>
  readonly data: Uint8Array
}

export type LegacyTransaction = {
  /** Signature slots present on the wire. */
  readonly signatureCount: number
  /** Signatures the message requires; the first this many account keys are the signers. */
  readonly requiredSignatures: number
  readonly readonlySigned: number
  readonly readonlyUnsigned: number
  readonly accountKeys: ReadonlyArray<Uint8Array>
  readonly recentBlockhash: Uint8Array
  readonly instructions: ReadonlyArray<CompiledInstruction>
  /** The message bytes as received. */
  readonly message: Uint8Array
}

export type ParseFailure = { readonly failure: "versioned" | "malformed"; readonly reason: string }

export const isParseFailure = (x: LegacyTransaction | ParseFailure): x is ParseFailure => "failure" in x

/**
 * Solana's compact-u16: 1 to 3 bytes, 7 bits each. Only the canonical form is
 * read, as the cluster's decoder does: a zero byte after the first (the same
 * value spelled longer) or a third byte above 3 (beyond u16) is refused, so
 * no message is approved that the cluster would read differently or not at all.
 */
const shortVec = (bytes: Uint8Array, at: number): { value: number; next: number } | undefined => {
  let value = 0
  for (let i = 0; i < 3; i++) {
    const b = bytes[at + i]
    if (b === undefined || (i > 0 && b === 0) || (i === 2 && b > 3)) return undefined
    value |= (b & 0x7f) << (7 * i)
    if ((b & 0x80) === 0) return { value, next: at + i + 1 }
  }
  return undefined
}

const malformed = (reason: string): ParseFailure => ({ failure: "malformed", reason })

/** Reads `wire` as one legacy transaction; anything else (truncated, trailing bytes, bad indexes, versioned) is a failure. */
export const parseLegacyTransaction = (wire: Uint8Array): LegacyTransaction | ParseFailure => {
  const sigs = shortVec(wire, 0)
  if (!sigs) return malformed("no signature count")
  const start = sigs.next + sigs.value * 64
  const first = wire[start]
  if (first === undefined) return malformed("truncated before the message")
  if ((first & 0x80) !== 0) return { failure: "versioned", reason: `a version ${first & 0x7f} message` }
  if (start + 3 > wire.length) return malformed("truncated header")
  const requiredSignatures = first
  const readonlySigned = wire[start + 1]!
  const readonlyUnsigned = wire[start + 2]!
  const accounts = shortVec(wire, start + 3)
  if (!accounts) return malformed("truncated account count")
  let at = accounts.next
  if (at + accounts.value * 32 + 32 > wire.length) return malformed("truncated account keys")
  const accountKeys: Array<Uint8Array> = new Array(accounts.value)
  // The cluster refuses a message that lists an account twice; so does the reader.
  const seen = new Set<string>()
  for (let i = 0; i < accounts.value; i++, at += 32) {
    const key = wire.subarray(at, at + 32)
    const hex = Buffer.from(key.buffer, key.byteOffset, 32).toString("hex")
    if (seen.has(hex)) return malformed(`account ${i} is listed twice`)
    seen.add(hex)
    accountKeys[i] = key
  }
  const recentBlockhash = wire.subarray(at, at + 32)
  at += 32
  if (requiredSignatures > accounts.value || readonlySigned >= Math.max(requiredSignatures, 1) || readonlyUnsigned > accounts.value - requiredSignatures) {
    return malformed("the header does not fit the account list")
  }
  if (sigs.value !== requiredSignatures) return malformed(`${sigs.value} signature slots for ${requiredSignatures} required signatures`)
  const count = shortVec(wire, at)
  if (!count) return malformed("truncated instruction count")
  at = count.next
  const instructions: Array<CompiledInstruction> = new Array(count.value)
  for (let i = 0; i < count.value; i++) {
    const programIndex = wire[at]
    if (programIndex === undefined || programIndex >= accounts.value) return malformed(`instruction ${i} names no account as its program`)
    const indexes = shortVec(wire, at + 1)
    if (!indexes || indexes.next + indexes.value > wire.length) return malformed(`instruction ${i} is truncated`)
    const accountIndexes: Array<number> = new Array(indexes.value)
    for (let k = 0; k < indexes.value; k++) {
      const index = wire[indexes.next + k]!
      if (index >= accounts.value) return malformed(`instruction ${i} names account ${index} of ${accounts.value}`)
      accountIndexes[k] = index
    }
    const data = shortVec(wire, indexes.next + indexes.value)
    if (!data || data.next + data.value > wire.length) return malformed(`instruction ${i} is truncated`)
    instructions[i] = { programIndex, accountIndexes, data: wire.subarray(data.next, data.next + data.value) }
    at = data.next + data.value
  }
  // Trailing bytes would be signed without having been checked: refuse them.
  if (at !== wire.length) return malformed(`${wire.length - at} bytes after the message`)
  return {
    signatureCount: sigs.value,
    requiredSignatures,
    readonlySigned,
    readonlyUnsigned,
    accountKeys,
    recentBlockhash,
    instructions,
    message: wire.subarray(start),
  }
}

/** The System program's address (base58). */
export const SYSTEM_PROGRAM = "11111111111111111111111111111111"

/** Little-endian integers in an instruction's data, as the programs read them. */
export const u32At = (d: Uint8Array, at: number): number => new DataView(d.buffer, d.byteOffset, d.byteLength).getUint32(at, true)
export const u64At = (d: Uint8Array, at: number): bigint => new DataView(d.buffer, d.byteOffset, d.byteLength).getBigUint64(at, true)

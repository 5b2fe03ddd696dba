// A Solana transaction's id is its first signature, so the gateway knows what
// to look for on chain before it sends a submit whose answer may be lost.
import { encodeBase58 } from "../../platform/solana/base58"

/** base58 first signature of a serialized (base64) transaction, or undefined if unreadable or unsigned. */
export const firstSignature = (base64Transaction: string): string | undefined => {
  let bytes: Uint8Array
  try {
    bytes = Uint8Array.from(Buffer.from(base64Transaction, "base64"))
  } catch {
    return undefined
  }
  // The signature count is a compact-u16; any count below 128 is one byte.
  const count = bytes[0]
  if (count === undefined || count === 0 || count >= 0x80 || bytes.length < 65) return undefined
  const sig = bytes.subarray(1, 65)
  if (sig.every((b) => b === 0)) return undefined
  return encodeBase58(sig)
}

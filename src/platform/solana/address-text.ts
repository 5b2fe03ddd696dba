// The base58 text of a 32-byte account key, remembered. base58 encoding is
// quadratic in the length (several µs a key), and the transactions the
// gateway checks name the same few dozen accounts over and over (pool
// wallets, agent owners, their token accounts, mints, programs); hex is a
// native single pass, so it is the memo's key.
import bs58 from "bs58"
import { boundedMemo } from "../memo"

export const ADDRESS_TEXT_CACHE_MAX = 4096
const memo = boundedMemo<string>(ADDRESS_TEXT_CACHE_MAX)

/** How many encodings are remembered (for tests). */
export const addressTextCacheSize = (): number => memo.size()

export const addressText = (key: Uint8Array): string =>
  memo.get(Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("hex"), () => bs58.encode(key))

// The base58 text of a 32-byte account key, remembered. Encoding costs
// microseconds a key, and the transactions the gateway checks name the same
// few dozen accounts over and over (pool wallets, agent owners, their token
// accounts, mints, programs); hex is a native single pass, so it is the
// memo's key.
import { encodeBase58 } from "./base58"
import { boundedMemo } from "../memo"

const memo = boundedMemo<string>(4096)

export const addressText = (key: Uint8Array): string =>
  memo.get(Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("hex"), () => encodeBase58(key))

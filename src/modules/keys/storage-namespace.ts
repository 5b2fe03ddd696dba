// A key's storage namespace: what storage agents receive as input.wallet. It
// is a secret of the server: 256 random bits, drawn once when the key is
// created and kept for the key's life (a roll keeps the row, so keeps it),
// never derived from an id the server hands out and never shown in a
// response or a log. Whoever can name a namespace can read and write its data
// on an agent that does not also key by the paying wallet, so it must not be
// guessable. Keys created before namespaces existed keep `tdk_<key id>`
// (migration 0007), which is how their data is stored.
import bs58 from "bs58"

export const newStorageNamespace = (random: Uint8Array = crypto.getRandomValues(new Uint8Array(32))): string => `ns_${bs58.encode(random)}`

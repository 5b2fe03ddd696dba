// The shape of a Solana address as text: 32 to 44 base58 characters. Checked
// before any decoding, because base58 decoding takes time quadratic in the
// length: a megabyte-long "address" kept a request busy for seconds.

export const ADDRESS_TEXT = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/

export const isAddressShaped = (s: string): boolean => ADDRESS_TEXT.test(s)

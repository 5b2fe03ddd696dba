// Endpoint signing secrets at rest: sealed under the master keyring (the
// wallets' AES-256-GCM envelopes), bound to their endpoint id, so a copy of
// the database alone cannot forge a developer's events. A secret stored
// before sealing existed (`whsec_…` in clear) is still read as it is, and
// `tdk pool rotate-master` seals it.
import type { KeyringShape } from "../pool/keyring"
import type { UnsealError } from "../pool/errors"

const PLAIN = /^whsec_[1-9A-HJ-NP-Za-km-z]+$/

const aadOf = (endpointId: string) => new TextEncoder().encode(`webhook-endpoint:${endpointId}`)

/** True when the stored value is a secret from before sealing, still in clear. */
export const isPlainSecret = (stored: string): boolean => PLAIN.test(stored)

export const sealSecret = (keyring: KeyringShape, endpointId: string, secret: string): string => keyring.sealFor(aadOf(endpointId), new TextEncoder().encode(secret))

/** The secret to sign with, or why it cannot be opened (the error names the endpoint and key id, never the secret). */
export const openSecret = (keyring: KeyringShape, endpointId: string, stored: string): string | UnsealError => {
  if (isPlainSecret(stored)) return stored
  const opened = keyring.openFor(endpointId, aadOf(endpointId), stored)
  if (!(opened instanceof Uint8Array)) return opened
  try {
    return new TextDecoder().decode(opened)
  } finally {
    opened.fill(0)
  }
}

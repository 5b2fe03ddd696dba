// Ed25519 through node:crypto (BoringSSL in Bun). Measured on this project's
// machine: ~69k signatures/s with a cached KeyObject against ~3k/s for
// @noble/curves and ~22k/s for WebCrypto (async). Solana secrets are 64 bytes:
// the 32-byte seed followed by the public key.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto"
import bs58 from "bs58"
import { encodeBase58 } from "../../platform/solana/base58"

const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex")

/** A private KeyObject for a 64-byte Solana secret. The DER copy is wiped. */
export const keyObjectOf = (secret: Uint8Array): KeyObject => {
  const der = Buffer.alloc(PKCS8_PREFIX.length + 32)
  PKCS8_PREFIX.copy(der, 0)
  der.set(secret.subarray(0, 32), PKCS8_PREFIX.length)
  try {
    return createPrivateKey({ key: der, format: "der", type: "pkcs8" })
  } finally {
    der.fill(0)
  }
}

/** The public key (32 bytes) a private KeyObject derives. */
export const publicKeyBytes = (key: KeyObject): Uint8Array => {
  const spki = createPublicKey(key).export({ format: "der", type: "spki" })
  return new Uint8Array(spki.subarray(spki.length - 32))
}

/** Whether `key` is the private half of the base58 `publicKey` a wallet row names (a tampered or mis-migrated row is not). */
export const derivesPublicKey = (key: KeyObject, publicKey: string): boolean => encodeBase58(publicKeyBytes(key)) === publicKey

export const signMessage = (key: KeyObject, message: Uint8Array): Uint8Array => new Uint8Array(sign(null, message, key))

/** A fresh Solana keypair: base58 public key and the 64-byte secret (caller wipes it). */
export const newKeypair = (): { publicKey: string; secret: Uint8Array } => {
  const { privateKey } = generateKeyPairSync("ed25519")
  const der = privateKey.export({ format: "der", type: "pkcs8" })
  const pub = publicKeyBytes(privateKey)
  const secret = new Uint8Array(64)
  secret.set(der.subarray(der.length - 32), 0)
  secret.set(pub, 32)
  der.fill(0)
  return { publicKey: bs58.encode(pub), secret }
}

// Webhooks this gateway sends (operator alerts, developer events) are signed
// as Stripe signs its own: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<t>.<body>">` in TDK-Signature, so a receiver checks the body and the time
// the way it already checks Stripe's.
import { createHmac } from "node:crypto"

export const SIGNATURE_HEADER = "tdk-signature"

export const signatureOf = (secret: string, body: string, unixSeconds: number): string =>
  `t=${unixSeconds},v1=${createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex")}`

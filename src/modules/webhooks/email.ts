// The same events by e-mail, when SMTP_URL is set: one message per event to
// the account's address, through nodemailer. The transport is made once per
// URL and reused.
import { createTransport } from "nodemailer"
import type { EventType } from "./events"

const SUBJECTS: Record<EventType, string> = {
  "usage.quota_threshold": "A key reached part of its monthly quota",
  "usage.spend_cap_reached": "A key reached its monthly spend cap",
  "key.suspended": "A key was suspended",
  "key.reinstated": "A key was reinstated",
  "key.rolled": "A key's secret was rolled",
  "key.revoked": "A key was revoked",
  "billing.payment_failed": "A payment failed",
}

const transports = new Map<string, ReturnType<typeof createTransport>>()
const transportFor = (url: string) => {
  let t = transports.get(url)
  if (!t) transports.set(url, (t = createTransport(url)))
  return t
}

/** The message for one event: a subject people read, and the event itself. */
export const emailOf = (type: string, payload: string) => {
  const subject = `TDK Core: ${SUBJECTS[type as EventType] ?? type}`
  const event = JSON.parse(payload) as { data?: unknown }
  return { subject, text: `${subject}.\n\nEvent ${type}:\n${JSON.stringify(event, null, 2)}\n\nYou get these because your gateway's operator turned e-mail notifications on.\n` }
}

export const sendEmail = async (smtpUrl: string, from: string, to: string, message: { readonly subject: string; readonly text: string }): Promise<void> => {
  await transportFor(smtpUrl).sendMail({ from, to, subject: message.subject, text: message.text })
}

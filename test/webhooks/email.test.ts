// With SMTP_URL, each event also reaches the account's address by e-mail,
// through a real SMTP server (Python's smtpd) on loopback.
import { afterAll, describe, expect, test } from "bun:test"
import { deliverDue } from "../../src/modules/webhooks/delivery"
import { makeTestApp } from "../support/app"
import { bearer, login, register } from "../support/accounts"
import { startSmtpServer } from "../support/smtp-server"

const servers: Array<{ stop: () => void }> = []
afterAll(() => servers.forEach((s) => s.stop()))

describe("developer notifications by e-mail", () => {
  test("a rolled key is mailed to the account from SMTP_FROM, naming the event and never the key's secret", async () => {
    const smtp = await startSmtpServer()
    servers.push(smtp)
    const h = await makeTestApp("sqlite", { SMTP_URL: smtp.url, SMTP_FROM: "Gateway <gateway@example.com>" })
    try {
      const a = await register(h)
      const session = await login(h, a.email)
      const rolled = await h.request(`/v1/keys/${a.keyId}/roll`, { method: "POST", headers: bearer(session), json: {} })
      expect(rolled.status).toBe(200)
      const newKey = ((await rolled.json()) as { key: string }).key
      const result = await h.runtime.runPromise(deliverDue())
      expect(result).toEqual({ attempted: 1, delivered: 1 })
      const deadline = Date.now() + 5_000
      while (smtp.messages().length === 0 && Date.now() < deadline) await Bun.sleep(50)
      const [message] = smtp.messages()
      expect(message).toContain("From: Gateway <gateway@example.com>")
      expect(message).toContain(`To: ${a.email}`)
      expect(message).toContain("Subject: TDK Core: A key's secret was rolled")
      expect(message).toContain('"type": "key.rolled"')
      expect(message).toContain(a.keyId)
      expect(message).not.toContain(newKey)
      expect(message).not.toContain(a.key)
    } finally {
      await h.close()
    }
  })

  test("a mail server that is down is retried later, not lost", async () => {
    const h = await makeTestApp("sqlite", { SMTP_URL: "smtp://127.0.0.1:9" })
    try {
      const a = await register(h)
      const session = await login(h, a.email)
      expect((await h.request(`/v1/keys/${a.keyId}`, { method: "DELETE", headers: bearer(session) })).status).toBe(200)
      expect(await h.runtime.runPromise(deliverDue())).toEqual({ attempted: 1, delivered: 0 })
      // Backing off: nothing is due right away.
      expect(await h.runtime.runPromise(deliverDue())).toEqual({ attempted: 0, delivered: 0 })
    } finally {
      await h.close()
    }
  })
})

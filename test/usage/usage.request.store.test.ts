// store.usage.findByRequestId on every dialect: the newest row with the
// request id within one user (one key's when asked), and never a legacy
// reserved row (a call not yet priced nor paid, as the history hides it).
import { describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import type { NewCall } from "../../src/store/usage/repo"
import { exec } from "../support/billing"
import { dialects } from "../support/db"
import { storeSuite } from "../support/store-suite"

const T0 = Date.UTC(2026, 0, 15)

for (const dialect of dialects) {
  describe(`usage rows by request id (${dialect})`, () => {
    const suite = storeSuite(dialect)
    const run = suite.run

    /** A recorded (pending) call of `keyId` under `userId`, carrying `requestId`. */
    const record = (id: string, userId: string, keyId: string, requestId: string) => {
      const call: NewCall = { id, keyId, userId, agentId: "agent", environment: "live", billable: true, requestId, idempotencyKey: null, createdAt: T0 }
      const payment = { agentName: "Agent", agentPriceMicroUsd: 1000, markupMicroUsd: 100, developerPriceMicroUsd: 1100, priceToken: "USDC", priceBase: 1000, solRateMicroUsd: null, walletId: "wal_u", paymentIntentId: `pi_${id}`, txSignature: `sig_${id}` }
      return run((s) => s.usage.record(call, "2026-01", payment, { quota: null, capMicroUsd: null }))
    }
    const find = (requestId: string, viewer: { userId: string; keyId?: string }) => run((s) => s.usage.findByRequestId(requestId, viewer)).then((r) => r?.id)

    test("the newest of the user's rows with the id; one key's only when a key asks; another user's never", async () => {
      await record("use_r01", "usr_a", "key_a1", "dup")
      await record("use_r02", "usr_b", "key_b1", "dup")
      await record("use_r03", "usr_a", "key_a2", "dup")
      await record("use_r04", "usr_b", "key_b1", "dup")
      expect(await find("dup", { userId: "usr_a" })).toBe("use_r03")
      expect(await find("dup", { userId: "usr_a", keyId: "key_a1" })).toBe("use_r01")
      expect(await find("dup", { userId: "usr_b" })).toBe("use_r04")
      // A key is looked up within its own user: another user's key never matches.
      expect(await find("dup", { userId: "usr_a", keyId: "key_b1" })).toBeUndefined()
      expect(await find("dup", { userId: "usr_c" })).toBeUndefined()
      expect(await find("other", { userId: "usr_a" })).toBeUndefined()
    })

    test("a legacy reserved row is not found, even when it is the newest", async () => {
      await record("use_s01", "usr_s", "key_s", "held")
      await exec(
        suite.db,
        sql`insert into usage (id, key_id, user_id, agent_id, agent_name, agent_price_micro_usd, markup_micro_usd, developer_price_micro_usd, wallet_id, request_id, environment, billable, state, created_at)
            values ('use_s02', 'key_s', 'usr_s', 'agent', '', 0, 0, 0, '', 'held', 'live', ${dialect === "postgres" ? sql`true` : sql`1`}, 'reserved', ${T0})`,
      )
      expect(await find("held", { userId: "usr_s" })).toBe("use_s01")
      expect(await find("held", { userId: "usr_s", keyId: "key_s" })).toBe("use_s01")
    })
  })
}

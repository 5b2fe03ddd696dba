// The money audit finds each fault it exists for, when injected into an
// otherwise clean month, on every dialect; a clean month has no finding.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { sql } from "drizzle-orm"
import { Effect } from "effect"
import { auditPeriod } from "../../src/modules/audit/audit"
import { runAuditJob } from "../../src/modules/audit/job"
import { Database } from "../../src/platform/db/database"
import { periodBounds, periodOf } from "../../src/platform/period"
import { Store } from "../../src/store/store"
import { bearer, register } from "../support/accounts"
import { readJson, waitForLog } from "../support/app"
import { dialects } from "../support/db"
import { makeGatewayApp, type GatewayApp } from "../support/gateway"

const ADMIN_TOKEN = "audit-admin-token-0123456789abcdef"

for (const dialect of dialects) {
  describe(`money audit (${dialect})`, () => {
    let g: GatewayApp
    let keyId: string
    let rows: Array<{ id: string; tx_signature: string; payment_intent_id: string }>
    const period = periodOf(Date.now())

    const exec = async (statement: ReturnType<typeof sql>) => {
      const handle = await g.runtime.runPromise(Database)
      if (handle.kind === "sqlite") return handle.db.all<Record<string, unknown>>(statement)
      return [...(await handle.db.execute<Record<string, unknown>>(statement))]
    }
    const audit = () => g.runtime.runPromise(auditPeriod(period))
    const kinds = async () => (await audit()).findings.map((f) => f.kind).sort()

    beforeAll(async () => {
      g = await makeGatewayApp(dialect, { ADMIN_TOKEN })
      await g.seedPool(3)
      const a = await register(g)
      keyId = a.keyId
      for (let i = 0; i < 3; i++) {
        const r = await readJson(await g.request("/v1/agents/title-generator", { method: "POST", json: { text: `call ${i} of the audit` }, headers: bearer(a.key) }))
        expect(r.status).toBe(200)
      }
      rows = (await exec(sql`select id, tx_signature, payment_intent_id from usage where key_id = ${keyId} order by id`)) as typeof rows
      expect(rows.length).toBe(3)
    })
    afterAll(() => g.close())

    test("a clean month has no finding, on the API and through the job's check", async () => {
      const report = await audit()
      expect(report).toMatchObject({ period, ok: true, findings: [] })
      expect(report.settledRowsChecked).toBe(3)
      const r = await readJson(await g.request(`/admin/audit?period=${period}`, { headers: bearer(ADMIN_TOKEN) }))
      expect(r).toMatchObject({ status: 200, body: { period, ok: true, findings: [], settled_rows_checked: 3 } })
      expect((await readJson(await g.request("/admin/audit?period=2026-13", { headers: bearer(ADMIN_TOKEN) }))).status).toBe(422)
      expect((await readJson(await g.request("/admin/audit"))).status).toBe(401)
    })

    test("a settled row whose signature never paid on chain is found", async () => {
      const row = rows[0]!
      await exec(sql`update usage set tx_signature = ${"1".repeat(87) + "A"} where id = ${row.id}`)
      try {
        const report = await audit()
        expect(report.ok).toBe(false)
        expect(report.findings).toEqual([expect.objectContaining({ kind: "settled_without_payment", severity: "error", rowIds: [row.id] })])
      } finally {
        await exec(sql`update usage set tx_signature = ${row.tx_signature} where id = ${row.id}`)
      }
      expect(await kinds()).toEqual([])
    })

    test("a settled row without any signature is found", async () => {
      const row = rows[1]!
      await exec(sql`update usage set tx_signature = null where id = ${row.id}`)
      try {
        expect((await audit()).findings).toEqual([expect.objectContaining({ kind: "settled_without_payment", rowIds: [row.id] })])
      } finally {
        await exec(sql`update usage set tx_signature = ${row.tx_signature} where id = ${row.id}`)
      }
    })

    test("a released row whose payment landed on chain is found: the pool paid and nobody was charged", async () => {
      const row = rows[2]!
      // Released as a call whose payment never landed, but it did: counters follow the release.
      await exec(sql`update usage set state = 'failed', error = 'payment never reached the chain' where id = ${row.id}`)
      await exec(sql`update usage_periods set ops = ops - 1, spend_micro_usd = spend_micro_usd - 15000 where key_id = ${keyId} and period = ${period}`)
      try {
        const report = await audit()
        expect(report.ok).toBe(false)
        expect(report.findings).toEqual([expect.objectContaining({ kind: "paid_without_charge", severity: "error", rowIds: [row.id] })])
      } finally {
        await exec(sql`update usage set state = 'settled', error = null where id = ${row.id}`)
        await exec(sql`update usage_periods set ops = ops + 1, spend_micro_usd = spend_micro_usd + 15000 where key_id = ${keyId} and period = ${period}`)
      }
      expect(await kinds()).toEqual([])
    })

    test("a busy healthy month gives no false counter mismatch: counters and rows are read in one snapshot", async () => {
      const range = { period, ...periodBounds(period) }
      let stop = false
      let writes = 0
      const writer = (async () => {
        while (!stop) {
          const id = `use_busy${writes++}`
          const call = { id, keyId: "key_busy", userId: "usr_busy", agentId: "agent", requestId: `req_${id}`, idempotencyKey: null, environment: "live" as const, billable: true, createdAt: Date.now() }
          const payment = { agentName: "A", agentPriceMicroUsd: 900, markupMicroUsd: 100, developerPriceMicroUsd: 1000, priceToken: "USDC", priceBase: 900, solRateMicroUsd: null, walletId: "wal_busy", paymentIntentId: `pi_${id}`, txSignature: `sig_${id}` }
          await g.runtime.runPromise(Effect.flatMap(Store, (st) => st.usage.record(call, period, payment, { quota: null, capMicroUsd: null })))
          await g.runtime.runPromise(Effect.flatMap(Store, (st) => st.usage.release(id, "x")))
        }
      })()
      let mismatches = 0
      for (let i = 0; i < 150; i++) mismatches += (await g.runtime.runPromise(Effect.flatMap(Store, (st) => st.audit.counterMismatches(range)))).length
      stop = true
      await writer
      expect(writes).toBeGreaterThan(10)
      expect(mismatches).toBe(0)
    })

    test("counters that differ from the rows are found, naming the key", async () => {
      await exec(sql`update usage_periods set ops = ops + 127 where key_id = ${keyId} and period = ${period}`)
      try {
        const report = await audit()
        expect(report.ok).toBe(false)
        expect(report.findings).toEqual([expect.objectContaining({ kind: "counter_mismatch", keyId })])
        expect(report.findings[0]!.detail).toContain("130 calls")
        // The hourly job says the same at error level.
        await g.runtime.runPromise(runAuditJob)
        const line = await waitForLog(g.logs, (l) => l.includes("money audit finding") && l.includes(keyId))
        expect(JSON.parse(line)).toMatchObject({ level: "error", kind: "counter_mismatch", period })
        // …and the operator's money_off alert fires for the month.
        const firing = await g.runtime.runPromise(Effect.flatMap(Store, (st) => st.alerts.firing("money_off")))
        expect(firing.map((a) => a.subject)).toContain(period)
      } finally {
        await exec(sql`update usage_periods set ops = ops - 127 where key_id = ${keyId} and period = ${period}`)
      }
      expect(await kinds()).toEqual([])
      // A clean audit clears it.
      await g.runtime.runPromise(runAuditJob)
      expect(await g.runtime.runPromise(Effect.flatMap(Store, (st) => st.alerts.firing("money_off")))).toEqual([])
    })

    test("day counters of settled calls that differ from the rows are found, naming the key and the agent", async () => {
      const [counter] = await exec(sql`select day, agent_id, calls from usage_agent_days where key_id = ${keyId}`)
      expect(Number(counter!.calls)).toBe(3)
      await exec(sql`update usage_agent_days set spend_micro_usd = spend_micro_usd + 1 where key_id = ${keyId}`)
      try {
        const report = await audit()
        expect(report.findings).toEqual([expect.objectContaining({ kind: "counter_mismatch", keyId })])
        expect(report.findings[0]!.detail).toContain(`day counters for agent ${counter!.agent_id}`)
        expect(report.findings[0]!.detail).toContain("45001 micro-USD")
      } finally {
        await exec(sql`update usage_agent_days set spend_micro_usd = spend_micro_usd - 1 where key_id = ${keyId}`)
      }
      expect(await kinds()).toEqual([])
    })

    test("billing counters that differ from the settled rows are found, naming the user and the column", async () => {
      const [owner] = await exec(sql`select user_id from usage where key_id = ${keyId} limit 1`)
      await exec(sql`update billing_usage set pending_micro_usd = pending_micro_usd + 7 where user_id = ${owner!.user_id}`)
      try {
        const report = await audit()
        expect(report.findings).toEqual([expect.objectContaining({ kind: "counter_mismatch" })])
        expect(report.findings[0]!.detail).toContain(`billing counters of user ${owner!.user_id}`)
        expect(report.findings[0]!.detail).toContain("pending_micro_usd")
      } finally {
        await exec(sql`update billing_usage set pending_micro_usd = pending_micro_usd - 7 where user_id = ${owner!.user_id}`)
      }
      expect(await kinds()).toEqual([])
    })

    test("rows sharing a signature or an intent are found (the unique indexes dropped, as on a database written before them)", async () => {
      await exec(sql.raw("drop index usage_tx_signature_uq"))
      await exec(sql.raw("drop index usage_payment_intent_uq"))
      const [a, b] = [rows[0]!, rows[1]!]
      await exec(sql`update usage set tx_signature = ${a.tx_signature}, payment_intent_id = ${a.payment_intent_id} where id = ${b.id}`)
      try {
        const report = await audit()
        expect(report.findings.map((f) => f.kind).sort()).toEqual(["duplicate_intent", "duplicate_signature"])
        for (const f of report.findings) expect([...f.rowIds].sort()).toEqual([a.id, b.id].sort())
      } finally {
        await exec(sql`update usage set tx_signature = ${b.tx_signature}, payment_intent_id = ${b.payment_intent_id} where id = ${b.id}`)
        await exec(sql.raw("create unique index usage_tx_signature_uq on usage (tx_signature)"))
        await exec(sql.raw("create unique index usage_payment_intent_uq on usage (payment_intent_id)"))
      }
      expect(await kinds()).toEqual([])
    })

    test("rows Stripe refused are errors; billable rows left unreported for over an hour are warnings", async () => {
      const [a, b] = [rows[0]!, rows[2]!]
      await exec(sql`update usage set stripe_state = 'flagged', stripe_error = 'No such customer' where id = ${a.id}`)
      await exec(sql`update usage set stripe_state = 'pending', settled_at = ${Date.now() - 2 * 60 * 60_000} where id = ${b.id}`)
      try {
        const report = await audit()
        expect(report.ok).toBe(false)
        expect(report.findings).toEqual([
          expect.objectContaining({ kind: "stripe_flagged", severity: "error", rowIds: [a.id] }),
          expect.objectContaining({ kind: "stripe_overdue", severity: "warning", rowIds: [b.id] }),
        ])
        expect(report.findings[0]!.detail).toContain("No such customer")
      } finally {
        await exec(sql`update usage set stripe_state = 'skipped', stripe_error = null where id in (${a.id}, ${b.id})`)
      }
      expect(await kinds()).toEqual([])
    })
  })
}

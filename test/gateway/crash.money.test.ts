// Money integrity through crashes. The real server (`tdk serve`, a child
// process) takes a burst of concurrent paid calls on a slowed sandbox agent
// and is killed with SIGKILL at a random moment, three times over, then
// started once more on the same data. After one reconciler pass past the
// give-up age, the sandbox ledger (its own SQLite file in DATA_DIR, or schema
// `sandbox` of the Postgres database; it outlives every crash) and the gateway's rows must agree exactly:
//   - a row is settled iff its payment intent was paid (or completed);
//   - every paid intent has exactly one row; no payment serves two rows;
//   - what developers are charged = Σ (quote + markup) of the paid intents;
//   - each key's month counters equal its rows;
//   - what left the pool wallets = Σ quotes of the paid intents;
//   - the money audit, when the build carries it, finds nothing.
// On SQLite, and on Postgres when TEST_POSTGRES_URL is set.
import { Database } from "bun:sqlite"
import { afterAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import postgres from "postgres"
import { makeRuntime } from "../../src/app/layers"
import { priceWithMarkup } from "../../src/modules/gateway/money"
import { reconcileUnknownCalls } from "../../src/modules/gateway/reconciler"
import { loadConfig } from "../../src/platform/config/config"
import { memorySink } from "../../src/platform/logging/logger"
import { periodOf } from "../../src/platform/period"
import { TEST_MASTER_KEYS } from "../support/app"
import { dialects, emptyPostgres, type Dialect } from "../support/db"
import { startServer, stopAllServers, type ServerProcess } from "../support/server-process"

const TITLE_GENERATOR_ID = "1e4a7b90-6c2d-4f35-b8a9-0d3e5f7a2c61"
const SUMMARIZER_ID = "9d2c5e18-7a3b-4e6f-a150-4b8d1c3e9f27"
const ADMIN_TOKEN = "crash-test-admin-token-0123456789"
const POOL_SIZE = 10
/** What the sandbox bootstrap gives each pool wallet: POOL_REFILL_TARGET_USDC's default, micro-USD. */
const POOL_WALLET_USDC = 100_000_000
/** MARKUP_BPS's default: the test does not set it. */
const MARKUP_BPS = 5000
/** Agent run time added by the sandbox, ms: a kill within it leaves paid calls without an answer. */
const AGENT_DELAY_MS = 3000
const INTENT_TTL_MS = 5000
const STALE_AFTER_MS = 1000
const GIVE_UP_AFTER_MS = 7000
const ROUNDS = 3
/**
 * Rounds added, each killed at the window's end, while no round has got a
 * payment through: on a slow spell of the machine three rounds could pass
 * without one (seen once: 20 intents built, none paid, in 2.1 s), and the
 * test is about crashes around payments.
 */
const EXTRA_ROUNDS = 2
const CALLS = { A: 150, B: 20, C: 20 } as const
/** Kill moments after firing, ms: one random draw per third of [300, 3000], in random order, so early and late kills both happen. */
const KILL_WINDOW = [300, 3000] as const

const reconcileEnv = {
  SANDBOX_INTENT_TTL_MS: String(INTENT_TTL_MS),
  RECONCILE_STALE_AFTER_MS: String(STALE_AFTER_MS),
  RECONCILE_GIVE_UP_AFTER_MS: String(GIVE_UP_AFTER_MS),
  // Below the give-up age (the configuration refuses otherwise), above the slowed agent's 3 s.
  MARKETPLACE_CALL_TIMEOUT_MS: "6000",
  // Yearly: no scheduled pass runs in the server during the test; the test runs one itself.
  RECONCILE_CRON: "0 0 1 1 *",
  POOL_BALANCE_CRON: "0 0 1 1 *",
}

const killMoments = (): Array<number> => {
  const [lo, hi] = KILL_WINDOW
  const third = (hi - lo) / ROUNDS
  const draws = Array.from({ length: ROUNDS }, (_, i) => Math.round(lo + third * i + Math.random() * third))
  for (let i = draws.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[draws[i], draws[j]] = [draws[j]!, draws[i]!]
  }
  return draws
}

type UsageRecord = {
  id: string
  key_id: string
  state: string
  payment_intent_id: string | null
  tx_signature: string | null
  developer_price_micro_usd: number
  agent_price_micro_usd: number
  markup_micro_usd: number
  created_at: number
  error: string | null
}
type PeriodRecord = { key_id: string; period: string; ops: number; spend_micro_usd: number }
type IntentRecord = { id: string; agent_id: string; payer: string; token: string; amount_base: number; status: string; tx_signature: string | null; created_at: number }

/** The gateway's rows, read with plain SQL (columns are named alike on both dialects). */
const readAppDb = async (dialect: Dialect, url: string, sqlitePath: string) => {
  const usageSql = `select id, key_id, state, payment_intent_id, tx_signature, developer_price_micro_usd, agent_price_micro_usd, markup_micro_usd, created_at, error from usage`
  const periodsSql = `select key_id, period, ops, spend_micro_usd from usage_periods`
  const walletsSql = `select public_key from wallet_pool`
  if (dialect === "sqlite") {
    const db = new Database(sqlitePath)
    try {
      return {
        usage: db.query<UsageRecord, []>(usageSql).all(),
        periods: db.query<PeriodRecord, []>(periodsSql).all(),
        wallets: db.query<{ public_key: string }, []>(walletsSql).all().map((w) => w.public_key),
      }
    } finally {
      db.close()
    }
  }
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    const num = <T extends Record<string, unknown>>(rows: ReadonlyArray<Record<string, unknown>>, fields: ReadonlyArray<string>) =>
      rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, fields.includes(k) && v !== null ? Number(v) : v])) as T)
    return {
      usage: num<UsageRecord>(await sql.unsafe(usageSql), ["developer_price_micro_usd", "agent_price_micro_usd", "markup_micro_usd", "created_at"]),
      periods: num<PeriodRecord>(await sql.unsafe(periodsSql), ["ops", "spend_micro_usd"]),
      wallets: (await sql.unsafe(walletsSql)).map((w) => String(w.public_key)),
    }
  } finally {
    await sql.end({ timeout: 5 })
  }
}

/** The sandbox ledger: its own SQLite file beside a SQLite gateway, schema `sandbox` of a Postgres gateway's database. */
const readLedger = async (dialect: Dialect, url: string, path: string, poolWallets: ReadonlyArray<string>) => {
  const intentsSql = "select id, agent_id, payer, token, amount_base, status, tx_signature, created_at from sandbox.intents"
  const signaturesSql = "select signature, err from sandbox.signatures"
  if (dialect === "postgres") {
    const sql = postgres(url, { max: 1, onnotice: () => {} })
    try {
      const intents = [...(await sql.unsafe(intentsSql))].map((i) => ({ ...i, amount_base: Number(i.amount_base), created_at: Number(i.created_at) }) as unknown as IntentRecord)
      const signatures = new Map((await sql.unsafe(signaturesSql)).map((s) => [String(s.signature), s.err as string | null]))
      const total = (await sql.unsafe("select coalesce(sum(amount), 0) as total from sandbox.token_accounts where owner = any($1)", [poolWallets as Array<string>]))[0]?.total
      return { intents, signatures, poolUsdc: Number(total ?? 0) }
    } finally {
      await sql.end({ timeout: 5 })
    }
  }
  const db = new Database(":memory:")
  try {
    db.query("attach database ? as sandbox").run(path)
    const intents = db.query<IntentRecord, []>(intentsSql).all()
    const signatures = new Map(db.query<{ signature: string; err: string | null }, []>(signaturesSql).all().map((s) => [s.signature, s.err]))
    const placeholders = poolWallets.map(() => "?").join(", ")
    const poolUsdc = db.query<{ total: number | null }, Array<string>>(`select sum(amount) as total from sandbox.token_accounts where owner in (${placeholders})`).get(...poolWallets)?.total ?? 0
    return { intents, signatures, poolUsdc }
  } finally {
    db.close()
  }
}

const count = <T>(items: ReadonlyArray<T>, keyOf: (t: T) => string): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const t of items) out[keyOf(t)] = (out[keyOf(t)] ?? 0) + 1
  return out
}

const cleanups: Array<() => Promise<void> | void> = []
afterAll(async () => {
  await stopAllServers()
  for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => undefined)
})

for (const dialect of dialects) {
  describe(`money through SIGKILLs (${dialect})`, () => {
    test(
      "after three crashes or more and one reconciler pass, every paid intent has exactly one settled row, charged once at quote + markup, and counters equal rows",
      async () => {
        const startedAt = performance.now()
        const dataDir = mkdtempSync(join(tmpdir(), "tdk-crash-"))
        let passed = false
        // A failed run keeps its data (server logs, both databases' files) for inspection.
        cleanups.push(() => (passed ? rmSync(dataDir, { recursive: true, force: true }) : console.log(`[crash.money ${dialect}] data kept in ${dataDir}`)))
        const sqlitePath = join(dataDir, "tdk.db")
        let databaseUrl = `sqlite:${sqlitePath}`
        if (dialect === "postgres") {
          // Empty: the server migrates it on its first start.
          const pg = await emptyPostgres()
          cleanups.push(async () => {
            await stopAllServers()
            await pg.drop()
          })
          databaseUrl = pg.url
        }
        const env: Record<string, string> = {
          DATA_DIR: dataDir,
          DATABASE_URL: databaseUrl,
          ADMIN_TOKEN,
          LOG_LEVEL: "warn",
          SANDBOX_POOL_SIZE: String(POOL_SIZE),
          // The same master key on every start: the pool's secrets stay readable.
          WALLET_ENCRYPTION_KEYS: TEST_MASTER_KEYS,
          TIERS_JSON: JSON.stringify({ free: { ratePerMinute: 100_000, monthlyQuota: null, concurrency: 1000 } }),
          ...reconcileEnv,
        }
        let starts = 0
        const start = () => startServer(env, join(dataDir, `server-${++starts}.log`), 60_000)
        const post = async (server: ServerProcess, path: string, body: unknown, headers: Record<string, string> = {}, method = "POST") => {
          const r = await fetch(`${server.baseUrl}${path}`, { method, body: JSON.stringify(body), headers: { "content-type": "application/json", ...headers } })
          const text = await r.text()
          return { status: r.status, text, body: JSON.parse(text) as any }
        }
        const slowAgent = async (server: ServerProcess) => {
          const r = await post(server, `/sandbox/control/agents/${TITLE_GENERATOR_ID}`, { delay_ms: AGENT_DELAY_MS }, {}, "PUT")
          expect(r).toMatchObject({ status: 200, body: { ok: true, delayMs: AGENT_DELAY_MS } })
        }

        const keys: Record<"A" | "B" | "C", string> = { A: "", B: "", C: "" }
        const keyNames = new Map<string, string>()
        /** Signatures the server answered 200 with: those calls told the developer they were paid for. */
        const answeredPaid: Array<string> = []
        const rounds: Array<Record<string, unknown>> = []
        const kills = killMoments()
        let lastKillAt = 0

        // Read between rounds, while no server runs.
        const somethingPaid = async () => {
          const app = await readAppDb(dialect, databaseUrl, sqlitePath)
          return (await readLedger(dialect, databaseUrl, join(dataDir, "sandbox.db"), app.wallets)).intents.some((i) => i.status === "paid" || i.status === "completed")
        }
        for (let round = 1; round <= ROUNDS || (round <= ROUNDS + EXTRA_ROUNDS && !(await somethingPaid())); round++) {
          const server = await start()
          if (round === 1) {
            // First start: the sandbox creates and funds the pool in the background; wait for its balance check.
            const deadline = Date.now() + 30_000
            for (;;) {
              const r = await fetch(`${server.baseUrl}/admin/pool?limit=100`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
              // The live pool (the test keys' pool is created beside it).
              const wallets = r.status === 200 ? ((await r.json()) as { wallets: Array<{ environment: string; last_balance_check_at: string | null }> }).wallets.filter((w) => w.environment === "live") : []
              if (wallets.length === POOL_SIZE && wallets.every((w) => w.last_balance_check_at !== null)) break
              if (Date.now() > deadline) throw new Error(`pool not bootstrapped: ${r.status} ${JSON.stringify(wallets)}`)
              await Bun.sleep(100)
            }
            for (const name of ["A", "B", "C"] as const) {
              const r = await post(server, "/v1/auth/register", { email: `crash-${name.toLowerCase()}-${Date.now()}@example.com`, password: "correct horse battery staple" })
              expect(r).toMatchObject({ status: 201 })
              keys[name] = r.body.api_key.key
              keyNames.set(r.body.api_key.id, name)
            }
          }
          // Agent behaviour lives in the server's memory: set again after every start.
          await slowAgent(server)

          const statuses: Array<string> = []
          const fire = (key: string, agentId: string, input: unknown, headers: Record<string, string> = {}) =>
            fetch(`${server.baseUrl}/v1/agents/${agentId}`, {
              method: "POST",
              body: JSON.stringify(input),
              headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...headers },
            }).then(
              async (r) => {
                const text = await r.text().catch(() => undefined)
                if (text === undefined) return void statuses.push(`${r.status}, body cut by the kill`)
                if (r.status === 200) answeredPaid.push(String(JSON.parse(text).receipt.tx_signature))
                statuses.push(String(r.status))
              },
              () => void statuses.push("killed"),
            )
          const text = (i: number) => `Round ${round} call ${i} of the crash test. It only needs a title.`
          const inFlight = [
            ...Array.from({ length: CALLS.A }, (_, i) => fire(keys.A, TITLE_GENERATOR_ID, { text: text(i) })),
            // B's calls carry Idempotency-Keys, so they run detached from their requests.
            ...Array.from({ length: CALLS.B }, (_, i) => fire(keys.B, TITLE_GENERATOR_ID, { text: text(i) }, { "idempotency-key": `crash-${round}-${i}-${crypto.randomUUID()}` })),
            // C's agent is not slowed: its calls mostly finish and settle before the kill.
            ...Array.from({ length: CALLS.C }, (_, i) => fire(keys.C, SUMMARIZER_ID, { text: `${text(i)} A second sentence. A third.`, max_sentences: 1 })),
          ]
          const firedAt = Date.now()
          const killAfterMs = kills[round - 1] ?? KILL_WINDOW[1]
          await Bun.sleep(killAfterMs)
          await server.kill("SIGKILL")
          lastKillAt = Date.now()
          await Promise.all(inFlight)
          rounds.push({ round, fired: { ...CALLS }, killAfterMs, statuses: count(statuses, (s) => s), window: [firedAt, lastKillAt] })
        }

        // The last start: no calls, it serves the sandbox chain's RPC to the reconciler and the audit.
        const server = await start()
        // Every open row must be past the give-up age (which is past the intent's life).
        const waitMs = lastKillAt + GIVE_UP_AFTER_MS + 500 - Date.now()
        if (waitMs > 0) await Bun.sleep(waitMs)

        const logs = memorySink()
        const config = loadConfig({
          DATABASE_URL: databaseUrl,
          // The test's own runtime must not open the server's sandbox ledger or key files.
          DATA_DIR: join(dataDir, "reconciler"),
          WALLET_ENCRYPTION_KEYS: TEST_MASTER_KEYS,
          SOLANA_RPC_URL: `${server.baseUrl}/sandbox/solana`,
          TETTO_API_URL: `${server.baseUrl}/sandbox/tetto`,
          LOG_LEVEL: "warn",
          ...reconcileEnv,
        })
        mkdirSync(config.dataDir, { recursive: true })
        const runtime = makeRuntime(config, { sink: logs.sink })
        let reconcile: { settled: number; failed: number; unresolved: number }
        let audit: Array<{ period: string; findings: ReadonlyArray<unknown> }> | "absent" = "absent"
        try {
          reconcile = await runtime.runPromise(reconcileUnknownCalls())
          // The money audit is another module; it is asserted on when this build has it.
          const auditModule = join(import.meta.dir, "../../src/modules/audit/audit.ts")
          if (existsSync(auditModule)) {
            const { auditPeriod } = (await import(auditModule)) as { auditPeriod: (period: string) => Effect.Effect<{ findings: ReadonlyArray<unknown> }, unknown, never> }
            const periods = [...new Set([periodOf(Date.now()), ...(await readAppDb(dialect, databaseUrl, sqlitePath)).usage.map((u) => periodOf(u.created_at))])]
            audit = []
            for (const period of periods) audit.push({ period, findings: (await runtime.runPromise(auditPeriod(period))).findings })
          }
        } finally {
          await runtime.dispose()
        }
        // A clean stop (exit 0); one that does not exit within 15 s is killed, and the test fails on it below.
        const stopped = await Promise.race([server.kill("SIGTERM"), Bun.sleep(15_000).then(() => "hung" as const)])
        if (stopped === "hung") await stopAllServers()

        // ── What the two sides say ────────────────────────────────────────
        const app = await readAppDb(dialect, databaseUrl, sqlitePath)
        const ledger = await readLedger(dialect, databaseUrl, join(dataDir, "sandbox.db"), app.wallets)
        const intents = new Map(ledger.intents.map((i) => [i.id, i]))
        const isPaid = (i: IntentRecord | undefined) => i !== undefined && (i.status === "paid" || i.status === "completed")
        const problems: Array<string> = []

        const rowsByIntent = new Map<string, Array<UsageRecord>>()
        const rowsBySignature = new Map<string, Array<UsageRecord>>()
        for (const row of app.usage) {
          if (row.payment_intent_id) rowsByIntent.set(row.payment_intent_id, [...(rowsByIntent.get(row.payment_intent_id) ?? []), row])
          if (row.tx_signature) rowsBySignature.set(row.tx_signature, [...(rowsBySignature.get(row.tx_signature) ?? []), row])
          if (row.state !== "settled" && row.state !== "failed") problems.push(`row ${row.id} left ${row.state} after the pass`)
          if (!row.payment_intent_id) {
            problems.push(`row ${row.id} (${row.state}) has no payment intent`)
            continue
          }
          const intent = intents.get(row.payment_intent_id)
          if (!intent) {
            problems.push(`row ${row.id} (${row.state}) names intent ${row.payment_intent_id}, which the ledger never issued`)
            continue
          }
          if (intent.status === "refunded") problems.push(`intent ${intent.id} was refunded (row ${row.id} is ${row.state}): no agent was made to fail in this test`)
          if ((row.state === "settled") !== isPaid(intent)) problems.push(`row ${row.id} is ${row.state} but its intent ${intent.id} is ${intent.status}`)
          if (row.state === "settled") {
            if (row.tx_signature !== intent.tx_signature) problems.push(`settled row ${row.id} holds signature ${row.tx_signature}, its intent was paid by ${intent.tx_signature}`)
            if (row.tx_signature === null || !ledger.signatures.has(row.tx_signature) || ledger.signatures.get(row.tx_signature) !== null)
              problems.push(`settled row ${row.id}: signature ${row.tx_signature} is not a successful transaction on the ledger`)
            const price = priceWithMarkup(intent.amount_base, MARKUP_BPS)
            if (intent.token !== "USDC" || row.developer_price_micro_usd !== price.developerPriceMicroUsd || row.agent_price_micro_usd !== price.agentPriceMicroUsd || row.markup_micro_usd !== price.markupMicroUsd)
              problems.push(`settled row ${row.id} charged ${row.agent_price_micro_usd} + ${row.markup_micro_usd} = ${row.developer_price_micro_usd}; its intent quoted ${intent.amount_base} ${intent.token}`)
          }
        }
        for (const [intent, rows] of rowsByIntent) if (rows.length > 1) problems.push(`intent ${intent} serves ${rows.length} rows: ${rows.map((r) => r.id).join(", ")}`)
        for (const [sig, rows] of rowsBySignature) if (rows.length > 1) problems.push(`signature ${sig} serves ${rows.length} rows: ${rows.map((r) => r.id).join(", ")}`)
        const paidIntents = ledger.intents.filter((i) => isPaid(i))
        for (const i of paidIntents) if (!rowsByIntent.has(i.id)) problems.push(`intent ${i.id} was paid (${i.status}, ${i.amount_base} ${i.token}) but no usage row records it`)
        const settledSignatures = new Set(app.usage.filter((r) => r.state === "settled").map((r) => r.tx_signature))
        for (const sig of answeredPaid) if (!settledSignatures.has(sig)) problems.push(`a call answered 200 with payment ${sig}, which no settled row charges`)

        // Charges against payments.
        const settled = app.usage.filter((r) => r.state === "settled")
        const charged = settled.reduce((s, r) => s + r.developer_price_micro_usd, 0)
        const owed = paidIntents.filter((i) => rowsByIntent.has(i.id)).reduce((s, i) => s + priceWithMarkup(i.amount_base, MARKUP_BPS).developerPriceMicroUsd, 0)
        const quoted = paidIntents.reduce((s, i) => s + i.amount_base, 0)
        if (charged !== owed) problems.push(`settled rows charge ${charged} micro-USD; the paid intents with rows owe ${owed}`)
        const poolSpent = app.wallets.length * POOL_WALLET_USDC - ledger.poolUsdc
        if (poolSpent !== quoted) problems.push(`the pool wallets paid out ${poolSpent} micro-USD; the paid intents quote ${quoted}`)

        // Counters against rows, per key and month.
        const counted = new Map<string, { ops: number; spend: number }>()
        for (const r of app.usage.filter((u) => ["reserved", "pending", "unknown", "settled"].includes(u.state))) {
          const k = `${r.key_id} ${periodOf(r.created_at)}`
          const c = counted.get(k) ?? { ops: 0, spend: 0 }
          counted.set(k, { ops: c.ops + 1, spend: c.spend + r.developer_price_micro_usd })
        }
        for (const p of app.periods) {
          const c = counted.get(`${p.key_id} ${p.period}`) ?? { ops: 0, spend: 0 }
          counted.delete(`${p.key_id} ${p.period}`)
          if (p.ops !== c.ops || p.spend_micro_usd !== c.spend) problems.push(`key ${p.key_id} ${p.period}: counters say ${p.ops} ops / ${p.spend_micro_usd} micro-USD, rows say ${c.ops} / ${c.spend}`)
        }
        for (const [k, c] of counted) problems.push(`key/period ${k}: ${c.ops} rows / ${c.spend} micro-USD but no counter row`)

        if (audit !== "absent") for (const a of audit) if (a.findings.length > 0) problems.push(`money audit ${a.period}: ${JSON.stringify(a.findings)}`)

        // Per round: what the ledger took in that round's window (builds that reached it before the kill).
        const roundFigures = rounds.map((r) => {
          const [from, to] = r.window as [number, number]
          const taken = ledger.intents.filter((i) => i.created_at >= from && i.created_at <= to)
          const { window: _window, ...rest } = r
          return { ...rest, intents: count(taken, (i) => i.status) }
        })
        const intentsByStatus = count(ledger.intents, (i) => `${i.status}${i.status === "open" ? (rowsByIntent.has(i.id) ? " (with row)" : " (no row)") : ""}`)
        console.log(
          `[crash.money ${dialect}]`,
          JSON.stringify(
            {
              rounds: roundFigures,
              reconcilerPass: reconcile,
              rows: count(app.usage, (r) => r.state),
              rowsByKey: count(app.usage, (r) => `${keyNames.get(r.key_id) ?? r.key_id} ${r.state}`),
              intents: intentsByStatus,
              answered200: answeredPaid.length,
              chargedMicroUsd: charged,
              owedByPaidIntentsMicroUsd: owed,
              quotedByPaidIntentsMicroUsd: quoted,
              poolPaidOutMicroUsd: poolSpent,
              audit: audit === "absent" ? "module absent: not run" : audit.map((a) => ({ period: a.period, findings: a.findings.length })),
              problems: problems.length,
              seconds: Math.round((performance.now() - startedAt) / 100) / 10,
            },
            null,
            1,
          ),
        )

        expect(problems).toEqual([])
        expect(reconcile.unresolved).toBe(0)
        expect({ finalStop: stopped }).toEqual({ finalStop: 0 })
        // The crashes did what they are for: paid calls lost their answer and the pass settled them.
        expect({ reconcilerSettled: reconcile.settled > 0, paidIntents: paidIntents.length > 0 }).toEqual({ reconcilerSettled: true, paidIntents: true })
        passed = true
      },
      150_000,
    )
  })
}

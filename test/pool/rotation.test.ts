// Wallet rotation and the sweep, end to end on the sandbox and on every
// dialect: a key with storage data is rotated, its ordinary calls then pay
// from the new wallet while its storage calls keep paying from the retired
// one, so it reads its memory after rotation; the retired wallet holding the
// data stays in the refill report and is never swept. A retired wallet
// without data is swept to the treasury: zero on the sandbox ledger, the
// treasury credited to the unit, and a second sweep sends nothing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { Keypair } from "@solana/web3.js"
import { sql } from "drizzle-orm"
import { Effect } from "effect"
import { Database, type DatabaseHandle } from "../../src/platform/db/database"
import { Store } from "../../src/store/store"
import { assignWallet } from "../../src/modules/pool/service"
import { faucetFunding, POOL_FUNDING_JOB, rotateWallets } from "../../src/modules/pool/rotation"
import { walletForCall } from "../../src/modules/pool/wallet-for-call"
import { readJson } from "../support/app"
import { bearer, login, register } from "../support/accounts"
import { selectAll } from "../support/billing"
import { dialects } from "../support/db"
import { jobLockKey } from "../../src/platform/jobs/lock"
import { makeGatewayApp, type GatewayApp } from "../support/gateway"
import { ADMIN } from "./served"

const rpc = async (g: GatewayApp, method: string, params: Array<unknown>) => (await readJson(await g.request("/sandbox/solana", { method: "POST", json: { jsonrpc: "2.0", id: 1, method, params } }))).body

for (const dialect of dialects) {
  describe(`wallet rotation and sweep (${dialect})`, () => {
    let g: GatewayApp
    const treasury = Keypair.generate().publicKey.toBase58()
    beforeAll(async () => {
      g = await makeGatewayApp(dialect, { ADMIN_TOKEN: ADMIN, POOL_TREASURY_ADDRESS: treasury })
      // The treasury's USDC account exists (a sweep never creates it).
      await g.fund(treasury, { usdc: 1, sol: 1_000_000 })
    })
    afterAll(() => g.close())

    const admin = async (path: string, json: unknown) => readJson(await g.request(path, { method: "POST", json, headers: bearer(ADMIN) }))
    const post = async (key: string, path: string, json: unknown) => readJson(await g.request(path, { method: "POST", json, headers: bearer(key) }))
    const wallets = () => g.runtime.runPromise(Effect.flatMap(Store, (s) => s.wallets.list()))
    const keyRow = async (keyId: string) => (await g.runtime.runPromise(Effect.flatMap(Store, (s) => s.keys.findById(keyId))))!
    const paidFrom = async (requestId: string) => {
      const db = await g.runtime.runPromise(Database)
      return (await selectAll(db, sql`select wallet_id from usage where request_id = ${requestId}`))[0]?.wallet_id as string
    }

    test("a key reads its memory after rotation: storage calls keep paying from the wallet holding its data, other calls move to the new wallet; a dry run changes nothing", async () => {
      const [old] = await g.seedPool(1)
      const a = await register(g)
      const b = await register(g)
      expect((await post(a.key, "/v1/memory/set", { key: "favourite", value: "Ada" })).status).toBe(200)
      // b only calls an ordinary agent: it has no storage data anywhere.
      expect((await post(b.key, "/v1/agents/title-generator", { text: "hello world" })).status).toBe(200)
      expect((await keyRow(a.keyId)).storageWalletId).toBe(old!.id)
      expect((await keyRow(b.keyId)).storageWalletId).toBeNull()
      // c is assigned the old wallet and has made no call at all.
      const c = await register(g)
      expect((await g.runtime.runPromise(assignWallet(c.keyId))).id).toBe(old!.id)

      const dry = await admin("/admin/pool/rotate", { older_than_days: 0, dry_run: true })
      expect(dry).toMatchObject({ status: 200, body: { dry_run: true, retired: 0, wallets: [{ wallet_id: old!.id, keys: 3, outcome: "planned" }] } })
      expect((await wallets()).map((w) => [w.id, w.status])).toEqual([[old!.id, "active"]])

      const rotated = await admin("/admin/pool/rotate", { older_than_days: 0 })
      expect(rotated).toMatchObject({ status: 200, body: { retired: 1, moved_keys: 3, storage_keys: 1, wallets: [{ wallet_id: old!.id, outcome: "retired", moved_keys: 3, storage_keys: 1 }] } })
      const fresh = rotated.body.wallets[0].replaced_by as string
      const after = await wallets()
      expect(after.find((w) => w.id === old!.id)).toMatchObject({ status: "retired", replacedBy: fresh, assignedKeyCount: 0 })
      expect(after.find((w) => w.id === fresh)).toMatchObject({ status: "active", assignedKeyCount: 3 })
      expect(after.find((w) => w.id === old!.id)!.retiredAt).toBeNumber()
      expect(after.find((w) => w.id === fresh)!.usdcBalance).toBeGreaterThan(0)
      expect([(await keyRow(a.keyId)).walletId, (await keyRow(b.keyId)).walletId]).toEqual([fresh, fresh])

      // The memory is still there, read by a call paid from the retired wallet.
      const read = await post(a.key, "/v1/memory/get", { key: "favourite" })
      expect(read).toMatchObject({ status: 200, body: { output: { exists: true, value: "Ada" } } })
      expect(await paidFrom(read.headers.get("x-request-id")!)).toBe(old!.id)
      // An ordinary call pays from the new wallet.
      const ordinary = await post(a.key, "/v1/agents/title-generator", { text: "after rotation" })
      expect(ordinary.status).toBe(200)
      expect(await paidFrom(ordinary.headers.get("x-request-id")!)).toBe(fresh)
      // b's first storage call records the new wallet as its storage wallet.
      const bSet = await post(b.key, "/v1/memory/set", { key: "k", value: "v" })
      expect(await paidFrom(bSet.headers.get("x-request-id")!)).toBe(fresh)
      expect((await keyRow(b.keyId)).storageWalletId).toBe(fresh)

      // A rerun never takes the retired wallet again: with no age cutoff the new wallet is the only candidate.
      const rerun = await admin("/admin/pool/rotate", { older_than_days: 0, dry_run: true })
      expect(rerun.body.wallets.map((w: { wallet_id: string }) => w.wallet_id)).toEqual([fresh])

      // The wallet holding a's data stays funded by the refill report and is never swept.
      const report = await readJson(await g.request("/admin/pool/refill-report", { headers: bearer(ADMIN) }))
      expect(report.body.wallets.map((w: { wallet_id: string }) => w.wallet_id)).toContain(old!.id)
      const sweep = await admin("/admin/pool/sweep", {})
      expect(sweep.body.wallets).toContainEqual(expect.objectContaining({ wallet_id: old!.id, outcome: "held_for_storage", usdc: 0, lamports: 0 }))
      expect(await g.usdcBalance(old!.publicKey)).toBeGreaterThan(0)
      const listed = await readJson(await g.request("/admin/pool?limit=100", { headers: bearer(ADMIN) }))
      expect(listed.body.wallets.find((w: { id: string }) => w.id === old!.id)).toMatchObject({ status: "retired", storage_keys: 1, replaced_by: fresh })

      // A caller holding a's identity from before the rotation (a cache on another instance) changes nothing.
      const stale = await g.runtime.runPromise(walletForCall({ keyId: a.keyId, walletId: old!.id, storageWalletId: null, environment: "live" }, { storage: true }))
      expect(stale.wallet.id).toBe(old!.id)
      // c's first storage call after the rotation, seen through an identity read before it (a cache), records the key's wallet as the row has it: the new one.
      const staleC = await g.runtime.runPromise(walletForCall({ keyId: c.keyId, walletId: old!.id, storageWalletId: null, environment: "live" }, { storage: true }))
      expect([staleC.wallet.id, (await keyRow(c.keyId)).storageWalletId]).toEqual([fresh, fresh])

      // Once the only key with data on it is revoked, the retired wallet is swept like any other.
      const session = await login(g, a.email)
      expect((await readJson(await g.request(`/v1/keys/${a.keyId}`, { method: "DELETE", headers: bearer(session) }))).status).toBe(200)
      const afterRevoke = await admin("/admin/pool/sweep", { grace_minutes: 0 })
      expect(afterRevoke.body.wallets).toContainEqual(expect.objectContaining({ wallet_id: old!.id, outcome: "swept" }))
    }, 60_000)

    test("a retired wallet without storage data is swept to the treasury: zero left on the ledger, the treasury credited exactly, and a second sweep sends nothing", async () => {
      const before = new Set((await wallets()).map((w) => w.id))
      const [w] = (await g.seedPool(1)).filter((x) => !before.has(x.id))
      // Retire it by hand for a wallet created by this test: rotation would rotate the others too.
      const replacement = (await wallets()).find((x) => x.status !== "retired" && x.id !== w!.id)!
      await g.runtime.runPromise(Effect.flatMap(Store, (s) => s.wallets.retire(w!.id, replacement.id, Date.now(), [])))
      const usdc = await g.usdcBalance(w!.publicKey)
      const lamports = (await rpc(g, "getBalance", [w!.publicKey])).result.value as number
      const treasuryUsdc = await g.usdcBalance(treasury)
      const treasuryLamports = (await rpc(g, "getBalance", [treasury])).result.value as number
      expect(usdc).toBeGreaterThan(0)

      // Retired moments ago: calls may still pay from it, so a sweep without a grace override leaves it.
      const early = await admin("/admin/pool/sweep", {})
      expect(early.body.wallets.find((l: { wallet_id: string }) => l.wallet_id === w!.id)).toMatchObject({ outcome: "cooling_down", usdc: 0 })
      const dry = await admin("/admin/pool/sweep", { dry_run: true, grace_minutes: 0 })
      expect(dry.body.wallets).toContainEqual(expect.objectContaining({ wallet_id: w!.id, outcome: "planned", usdc, lamports: lamports - 5000 }))
      expect(await g.usdcBalance(w!.publicKey)).toBe(usdc)

      const swept = await admin("/admin/pool/sweep", { grace_minutes: 0 })
      expect(swept.status).toBe(200)
      const line = swept.body.wallets.find((l: { wallet_id: string }) => l.wallet_id === w!.id)
      expect(line).toMatchObject({ outcome: "swept", usdc, lamports: lamports - 5000 })
      expect(line.signature).toMatch(/^[1-9A-HJ-NP-Za-km-z]{64,88}$/)
      expect((await rpc(g, "getBalance", [w!.publicKey])).result.value).toBe(0)
      expect((await rpc(g, "getTokenAccountsByOwner", [w!.publicKey, { programId: "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA" }])).result.value).toEqual([])
      expect(await g.usdcBalance(treasury)).toBe(treasuryUsdc + usdc)
      // Its SOL less the fee, plus the closed token account's rent.
      expect((await rpc(g, "getBalance", [treasury])).result.value).toBe(treasuryLamports + lamports - 5000 + 2_039_280)
      expect((await wallets()).find((x) => x.id === w!.id)).toMatchObject({ sweepSignature: line.signature, sweptAt: expect.any(Number) })

      const again = await admin("/admin/pool/sweep", { grace_minutes: 0 })
      expect(again.body.wallets.find((l: { wallet_id: string }) => l.wallet_id === w!.id)).toMatchObject({ outcome: "already_swept", usdc: 0, lamports: 0 })
      expect(await g.usdcBalance(treasury)).toBe(treasuryUsdc + usdc)

      // A refill sent to it late, once a balance check has seen it, is swept again.
      await g.fund(w!.publicKey, { usdc: 3_000_000, sol: 20_000 })
      expect((await readJson(await g.request("/admin/pool/check", { method: "POST", headers: bearer(ADMIN) }))).status).toBe(200)
      // What the ledger holds on every retired wallet now (seedPool funded every wallet, the first test's swept one too).
      const retiredNow = (await wallets()).filter((x) => x.status === "retired")
      const held = new Map(await Promise.all(retiredNow.map(async (x) => [x.id, await g.usdcBalance(x.publicKey)] as const)))
      const late = await admin("/admin/pool/sweep", { grace_minutes: 0 })
      expect(late.body.wallets.find((l: { wallet_id: string }) => l.wallet_id === w!.id)).toMatchObject({ outcome: "swept", usdc: 3_000_000, lamports: 15_000 })
      const sweptLate = late.body.wallets.filter((l: { outcome: string }) => l.outcome === "swept") as Array<{ wallet_id: string; usdc: number }>
      // Each swept wallet sent what the ledger held on it, and the treasury got exactly that.
      for (const l of sweptLate) expect(l.usdc).toBe(held.get(l.wallet_id)!)
      const fromLedger = sweptLate.reduce((n, l) => n + held.get(l.wallet_id)!, 0)
      expect(fromLedger).toBeGreaterThanOrEqual(3_000_000)
      expect(await g.usdcBalance(treasury)).toBe(treasuryUsdc + usdc + fromLedger)
      expect(late.body.total_usdc).toBe(fromLedger)
    }, 60_000)
  })
}

for (const dialect of dialects) {
  describe(`rotation funds before it assigns (${dialect})`, () => {
    let g: GatewayApp
    beforeAll(async () => {
      g = await makeGatewayApp(dialect, { ADMIN_TOKEN: ADMIN })
    })
    afterAll(() => g.close())

    test("while the new wallets are being funded they read depleted and take no key; a new key then goes to a funded one", async () => {
      const [old] = await g.seedPool(1)
      const seen: Array<{ statuses: Array<string>; assigned: string }> = []
      const report = await g.runtime.runPromise(
        rotateWallets({
          olderThanMs: 0,
          environment: "live",
          dryRun: false,
          fund: (wallets, onFunded) =>
            Effect.gen(function* () {
              const a = yield* Effect.promise(() => register(g))
              const assigned = yield* assignWallet(a.keyId)
              seen.push({ statuses: wallets.map((w) => w.status), assigned: assigned.id })
              yield* faucetFunding(wallets, onFunded)
            }),
        }),
      )
      expect(seen).toEqual([{ statuses: ["depleted"], assigned: old!.id }])
      expect(report).toMatchObject({ retired: 1, moved_keys: 1 })
    }, 60_000)
  })
}

describe("sweep and rotate refusals", () => {
  let g: GatewayApp
  beforeAll(async () => {
    g = await makeGatewayApp("sqlite", { ADMIN_TOKEN: ADMIN, TETTO_NETWORK: "sandbox" })
  })
  afterAll(() => g.close())

  test("a refill running from the CLI (its lease on the shared file): rotation answers 409 rotation_in_progress and funds nothing; once it ends, rotation runs", async () => {
    const db = await g.runtime.runPromise(Database)
    if (db.kind !== "sqlite") throw new Error("sqlite expected")
    const before = (await g.runtime.runPromise(Effect.flatMap(Store, (s) => s.wallets.list()))).length
    db.client.query("insert into job_leases (name, holder, expires_at) values (?, 'tdk-pool-refill', ?)").run(POOL_FUNDING_JOB, Date.now() + 60_000)
    const refused = await readJson(await g.request("/admin/pool/rotate", { method: "POST", json: { older_than_days: 0 }, headers: bearer(ADMIN) }))
    expect(refused).toMatchObject({ status: 409, body: { code: "rotation_in_progress" } })
    expect((await g.runtime.runPromise(Effect.flatMap(Store, (s) => s.wallets.list()))).length).toBe(before)
    db.client.query("delete from job_leases where name = ?").run(POOL_FUNDING_JOB)
    expect((await readJson(await g.request("/admin/pool/rotate", { method: "POST", json: { older_than_days: 0, dry_run: true }, headers: bearer(ADMIN) }))).status).toBe(200)
  })

  test("no treasury configured: 409 treasury_not_configured and nothing sent; bad bodies are 422", async () => {
    const r = await readJson(await g.request("/admin/pool/sweep", { method: "POST", json: {}, headers: bearer(ADMIN) }))
    expect(r).toMatchObject({ status: 409, body: { code: "treasury_not_configured" } })
    const bad = await readJson(await g.request("/admin/pool/rotate", { method: "POST", json: { older_than_days: -1 }, headers: bearer(ADMIN) }))
    expect(bad.status).toBe(422)
    const unknownPool = await readJson(await g.request("/admin/pool/rotate", { method: "POST", json: { older_than_days: 1, environment: "prod" }, headers: bearer(ADMIN) }))
    expect(unknownPool.status).toBe(422)
  })
})

/**
 * Holds the sweep's and the funding job's locks as another run would, until
 * the returned function gives them back: on Postgres the same advisory locks
 * on a session of their own (another instance), on SQLite lease rows under a
 * holder name of theirs, valid for a minute (the CLI, another process).
 */
const holdElsewhere = async (db: DatabaseHandle): Promise<() => Promise<void>> => {
  const jobs = ["pool-sweep", POOL_FUNDING_JOB]
  if (db.kind === "sqlite") {
    for (const job of jobs) db.client.query("insert into job_leases (name, holder, expires_at) values (?, 'the-cli', ?)").run(job, Date.now() + 60_000)
    return async () => void db.client.query("delete from job_leases where holder = 'the-cli'").run()
  }
  const other = await db.client.reserve()
  for (const job of jobs) await other`select pg_advisory_lock(${jobLockKey(job)}::bigint)`
  return async () => {
    await other`select pg_advisory_unlock_all()`
    other.release()
  }
}

for (const dialect of dialects)
  describe(`sweep and rotate while another run holds their locks (${dialect})`, () => {
    test("409 sweep_in_progress and rotation_in_progress, nothing changed; once given back, both run", async () => {
      const g = await makeGatewayApp(dialect, { ADMIN_TOKEN: ADMIN, POOL_TREASURY_ADDRESS: Keypair.generate().publicKey.toBase58() })
      try {
        const [w] = await g.seedPool(1)
        const giveBack = await holdElsewhere(await g.runtime.runPromise(Database))
        try {
          const sweep = await readJson(await g.request("/admin/pool/sweep", { method: "POST", json: {}, headers: bearer(ADMIN) }))
          expect(sweep).toMatchObject({ status: 409, body: { code: "sweep_in_progress" } })
          const rotate = await readJson(await g.request("/admin/pool/rotate", { method: "POST", json: { older_than_days: 0 }, headers: bearer(ADMIN) }))
          expect(rotate).toMatchObject({ status: 409, body: { code: "rotation_in_progress" } })
          const pool = await g.runtime.runPromise(Effect.flatMap(Store, (s) => s.wallets.list()))
          expect(pool.map((x) => [x.id, x.status])).toEqual([[w!.id, "active"]])
        } finally {
          await giveBack()
        }
        expect((await readJson(await g.request("/admin/pool/sweep", { method: "POST", json: { dry_run: true }, headers: bearer(ADMIN) }))).status).toBe(200)
        expect((await readJson(await g.request("/admin/pool/rotate", { method: "POST", json: { older_than_days: 0, dry_run: true }, headers: bearer(ADMIN) }))).status).toBe(200)
      } finally {
        await g.close()
      }
    })
  })

import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { getAccount, getMint, TOKEN_PROGRAM_ID } from "@solana/spl-token"
import { Connection, Keypair, PublicKey } from "@solana/web3.js"
import { sandboxUsdcAta, sandboxUsdcMint } from "../../src/modules/sandbox/identities"
import { dialects } from "../support/db"
import { readJson, type TestApp } from "../support/app"
import { fund, servedSandbox } from "./helpers"

for (const dialect of dialects) {
  describe(`sandbox JSON-RPC (${dialect})`, () => {
    let h: TestApp
    let connection: Connection
    let close: () => Promise<void>
    beforeAll(async () => {
      ;({ h, connection, close } = await servedSandbox(dialect))
    })
    afterAll(() => close())

    test("a web3.js Connection reads the balances the faucet set", async () => {
      const wallet = Keypair.generate().publicKey
      expect(await fund(h, wallet.toBase58(), { usdc: 2_500_000, sol: 1_234_567 })).toMatchObject({ status: 200, body: { ok: true } })
      expect(await connection.getBalance(wallet)).toBe(1_234_567)
      const ata = sandboxUsdcAta(wallet)
      expect(await connection.getTokenAccountBalance(ata)).toMatchObject({ value: { amount: "2500000", decimals: 6, uiAmountString: "2.5" } })

      const raw = await connection.getTokenAccountsByOwner(wallet, { mint: sandboxUsdcMint })
      expect(raw.value.map((a) => a.pubkey.toBase58())).toEqual([ata.toBase58()])
      expect(raw.value[0]!.account.owner.toBase58()).toBe(TOKEN_PROGRAM_ID.toBase58())
      const parsed = await connection.getParsedTokenAccountsByOwner(wallet, { programId: TOKEN_PROGRAM_ID })
      expect(parsed.value[0]!.account.data.parsed).toMatchObject({ type: "account", info: { mint: sandboxUsdcMint.toBase58(), owner: wallet.toBase58(), tokenAmount: { amount: "2500000" } } })

      // the raw bytes are real SPL layouts: spl-token decodes them
      const account = await getAccount(connection, ata)
      expect({ amount: account.amount, owner: account.owner.toBase58(), mint: account.mint.toBase58() }).toEqual({ amount: 2_500_000n, owner: wallet.toBase58(), mint: sandboxUsdcMint.toBase58() })
      expect((await getMint(connection, sandboxUsdcMint)).decimals).toBe(6)
      expect(await connection.getAccountInfo(Keypair.generate().publicKey)).toBeNull()
    })

    test("blockhash, version, airdrop and signature statuses", async () => {
      const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash()
      expect(new PublicKey(blockhash).toBytes()).toHaveLength(32)
      expect(lastValidBlockHeight).toBeGreaterThan(0)
      expect((await connection.getVersion())["solana-core"]).toBeString()
      const wallet = Keypair.generate().publicKey
      const signature = await connection.requestAirdrop(wallet, 5_000_000)
      expect(await connection.getBalance(wallet)).toBe(5_000_000)
      const statuses = await connection.getSignatureStatuses([signature])
      expect(statuses.value[0]).toMatchObject({ err: null, confirmationStatus: "finalized" })
      expect(await connection.getMinimumBalanceForRentExemption(165)).toBe(2_039_280)
    })

    test("unknown methods and malformed requests get JSON-RPC errors, not crashes", async () => {
      const post = async (body: string) => readJson(await h.request("/sandbox/solana", { method: "POST", body, headers: { "content-type": "application/json" } }))
      expect(await post(JSON.stringify({ jsonrpc: "2.0", id: 3, method: "sendBundle", params: [] }))).toMatchObject({ status: 200, body: { jsonrpc: "2.0", id: 3, error: { code: -32601 } } })
      // Elysia keeps the parse failure's 400 status; the body is still JSON-RPC.
      expect(await post("{not json")).toMatchObject({ status: 400, body: { id: null, error: { code: -32700 } } })
      expect(await post(JSON.stringify({ id: 4, method: "getBalance" }))).toMatchObject({ body: { id: 4, error: { code: -32600 } } })
      expect(await post(JSON.stringify([]))).toMatchObject({ body: { error: { code: -32600 } } })
      expect(await post(JSON.stringify({ jsonrpc: "2.0", id: 5, method: "getBalance", params: ["not-a-key"] }))).toMatchObject({ body: { id: 5, error: { code: -32602 } } })
      // Far longer than any address: refused on its length, never decoded.
      expect(await post(JSON.stringify({ jsonrpc: "2.0", id: 8, method: "getBalance", params: ["x".repeat(100_000)] }))).toMatchObject({ body: { id: 8, error: { code: -32602 } } })
      expect(await post(JSON.stringify({ jsonrpc: "2.0", id: 6, method: "toString", params: [] }))).toMatchObject({ body: { id: 6, error: { code: -32601 } } })
      const batch = await post(JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "getSlot" }, { jsonrpc: "2.0", id: 2, method: "nope" }]))
      expect(batch).toMatchObject({ status: 200, body: [{ id: 1, result: expect.any(Number) }, { id: 2, error: { code: -32601 } }] })
      // The same endpoint spelled with a trailing slash takes batches too.
      const slashed = await readJson(await h.request("/sandbox/solana/", { method: "POST", body: JSON.stringify([{ jsonrpc: "2.0", id: 9, method: "getSlot" }]), headers: { "content-type": "application/json" } }))
      expect(slashed).toMatchObject({ status: 200, body: [{ id: 9, result: expect.any(Number) }] })
    })

    test("faucet validation errors are 4xx envelopes", async () => {
      const faucet = async (json: unknown) => readJson(await h.request("/sandbox/faucet", { method: "POST", json }))
      expect(await faucet({ wallet: "nope", usdc: 1 })).toMatchObject({ status: 400, body: { ok: false, error: expect.stringContaining("Invalid wallet") } })
      expect(await faucet({ wallet: "1".repeat(100_000), usdc: 1 })).toMatchObject({ status: 400, body: { ok: false } })
      expect(await faucet({ wallet: Keypair.generate().publicKey.toBase58(), usdc: 1.5 })).toMatchObject({ status: 400, body: { ok: false } })
      expect(await faucet({ wallet: Keypair.generate().publicKey.toBase58(), usdc: 10_000_000_000 })).toMatchObject({ status: 400, body: { ok: false } })
      expect(await faucet({ wallet: Keypair.generate().publicKey.toBase58(), sol: -1 })).toMatchObject({ status: 400, body: { ok: false } })
      expect(await faucet({ wallet: Keypair.generate().publicKey.toBase58() })).toMatchObject({ status: 400, body: { ok: false, error: expect.stringContaining("Ask for some") } })
    })
  })
}

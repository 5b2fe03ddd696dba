// Every rule of the signing policy, each on a real crafted transaction.
import {
  AuthorityType,
  createApproveCheckedInstruction,
  createApproveInstruction,
  createBurnCheckedInstruction,
  createBurnInstruction,
  createCloseAccountInstruction,
  createSetAuthorityInstruction,
  createTransferCheckedInstruction,
  createTransferInstruction,
  createAssociatedTokenAccountIdempotentInstruction,
  TOKEN_PROGRAM_ID,
} from "@solana/spl-token"
import { ComputeBudgetProgram, Keypair, PublicKey, SystemProgram, TransactionInstruction, TransactionMessage, VersionedTransaction } from "@solana/web3.js"
import { describe, expect, test } from "bun:test"
import { ATA_RENT_LAMPORTS, checkTransaction, LAMPORTS_PER_SIGNATURE } from "../../src/modules/pool/signing-policy"
import { isParseFailure, parseLegacyTransaction } from "../../src/platform/solana/legacy-transaction"
import { BLOCKHASH, FEE_WALLET, fixture, USDC_MINT } from "./tx-fixtures"

const expectReject = (verdict: ReturnType<typeof checkTransaction>, code: string) => expect(verdict).toMatchObject({ ok: false, code })

describe("signing policy: accepts", () => {
  test("the canonical two-TransferChecked payment, from bytes and from a parsed transaction; the approved message is the one received", () => {
    const f = fixture()
    const bytes = f.bytes(f.canonical())
    const fromBytes = checkTransaction(f.input(bytes))
    const message = fromBytes.ok ? Buffer.from(fromBytes.tx.message) : undefined
    expect(fromBytes).toEqual({ ok: true, tx: expect.anything(), outflow: expect.objectContaining({ tokenBase: 10_000n, rentLamports: 0n, priorityFeeLamports: 0n, lamports: LAMPORTS_PER_SIGNATURE }) })
    expect(message?.equals(f.tx(f.canonical()).serializeMessage())).toBe(true)
    const parsed = parseLegacyTransaction(bytes)
    expect(isParseFailure(parsed)).toBe(false)
    if (!isParseFailure(parsed)) expect(checkTransaction(f.input(parsed))).toMatchObject({ ok: true })
  })

  test("a modest priority fee and a recipient ATA created idempotently, when the allowance covers the rent", () => {
    const f = fixture()
    const ixs = [ComputeBudgetProgram.setComputeUnitLimit({ units: 100_000 }), ComputeBudgetProgram.setComputeUnitPrice({ microLamports: 50_000 }), f.createOwnerAta(), ...f.canonical()]
    // rent 2,039,280 + fee 5,000 + priority 5,000 lamports at $250/SOL = 512,320 micro-USD
    const verdict = checkTransaction(f.input(f.bytes(ixs), { allowanceMicroUsd: 512_320 }))
    expect(verdict).toMatchObject({ ok: true, outflow: { rentLamports: ATA_RENT_LAMPORTS[TOKEN_PROGRAM_ID.toBase58()]!, priorityFeeLamports: 5_000n, valueBase: 10_000n + 512_320n } })
    expectReject(checkTransaction(f.input(f.bytes(ixs), { allowanceMicroUsd: 512_319 })), "value_exceeds_quote")
  })

  test("a quote within the price tolerance", () => {
    const f = fixture()
    expect(checkTransaction(f.input(f.bytes(f.canonical()), { knownPriceBase: 9_900n, toleranceBps: 102 }))).toMatchObject({ ok: true })
  })

  test("a SOL-priced call paid with lamport transfers to the owner and the fee wallet", () => {
    const f = fixture()
    const ixs = [
      SystemProgram.transfer({ fromPubkey: f.payer, toPubkey: f.owner, lamports: 9_000_000 }),
      SystemProgram.transfer({ fromPubkey: f.payer, toPubkey: FEE_WALLET, lamports: 1_000_000 }),
    ]
    const quote = { amountBase: 10_000_000n, token: "SOL" as const, mint: "So11111111111111111111111111111111111111112", decimals: 9 }
    expect(checkTransaction(f.input(f.bytes(ixs), { quote, knownPriceBase: 10_000_000n, knownPriceToken: "SOL" }))).toMatchObject({ ok: true, outflow: { lamports: 10_005_000n } })
  })
})

describe("signing policy: rejects", () => {
  test("another fee payer", () => {
    const f = fixture()
    expectReject(checkTransaction(f.input(f.bytes(f.canonical(), Keypair.generate().publicKey))), "fee_payer_mismatch")
  })

  test("a program outside the allow-list (memo)", () => {
    const f = fixture()
    const memo = new TransactionInstruction({ programId: new PublicKey("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr"), keys: [], data: Buffer.from("hi") })
    expectReject(checkTransaction(f.input(f.bytes([...f.canonical(), memo]))), "program_not_allowed")
  })

  const forbiddenToken: ReadonlyArray<[string, (f: ReturnType<typeof fixture>) => TransactionInstruction]> = [
    ["Approve", (f) => createApproveInstruction(f.payerAta, Keypair.generate().publicKey, f.payer, 1n)],
    ["ApproveChecked", (f) => createApproveCheckedInstruction(f.payerAta, USDC_MINT, Keypair.generate().publicKey, f.payer, 1n, 6)],
    ["SetAuthority", (f) => createSetAuthorityInstruction(f.payerAta, f.payer, AuthorityType.AccountOwner, Keypair.generate().publicKey)],
    ["CloseAccount", (f) => createCloseAccountInstruction(f.payerAta, f.owner, f.payer)],
    ["Burn", (f) => createBurnInstruction(f.payerAta, USDC_MINT, f.payer, 1n)],
    ["BurnChecked", (f) => createBurnCheckedInstruction(f.payerAta, USDC_MINT, f.payer, 1n, 6)],
  ]
  for (const [name, make] of forbiddenToken) {
    test(`SPL ${name} beside a valid payment`, () => {
      const f = fixture()
      expectReject(checkTransaction(f.input(f.bytes([...f.canonical(), make(f)]))), "token_instruction_forbidden")
    })
  }

  test("a token transfer whose authority is not the payer", () => {
    const f = fixture()
    const other = Keypair.generate().publicKey
    const ix = createTransferCheckedInstruction(f.payerAta, USDC_MINT, f.ownerAta, other, 9_000n, 6)
    // `other` must sign it, which is itself refused; compiled with the signer
    // flag dropped, the authority rule still holds.
    expectReject(checkTransaction(f.input(f.bytes([ix]))), "unexpected_signer")
    ix.keys[3]!.isSigner = false
    expectReject(checkTransaction(f.input(f.bytes([ix]))), "token_authority_not_payer")
  })

  test("a token transfer from an account that is not the payer's ATA of the quoted mint", () => {
    const f = fixture()
    const otherSource = f.ata(f.payer, Keypair.generate().publicKey)
    expectReject(checkTransaction(f.input(f.bytes([createTransferInstruction(otherSource, f.ownerAta, f.payer, 9_000n)]))), "token_source_not_payer_ata")
  })

  test("an unchecked Transfer is accepted from the payer's ATA to a recipient, and refused to anyone else", () => {
    const f = fixture()
    expect(checkTransaction(f.input(f.bytes([createTransferInstruction(f.payerAta, f.ownerAta, f.payer, 9_000n)])))).toMatchObject({ ok: true })
    const stranger = f.ata(Keypair.generate().publicKey)
    expectReject(checkTransaction(f.input(f.bytes([createTransferInstruction(f.payerAta, stranger, f.payer, 9_000n)]))), "unknown_recipient")
  })

  test("System instructions other than a transfer from the payer: Assign, CreateAccount, transfer from another account", () => {
    const f = fixture()
    expectReject(checkTransaction(f.input(f.bytes([...f.canonical(), SystemProgram.assign({ accountPubkey: f.payer, programId: new PublicKey("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr") })]))), "system_instruction_forbidden")
    const created = Keypair.generate().publicKey
    const create = SystemProgram.createAccount({ fromPubkey: f.payer, newAccountPubkey: created, lamports: 1_000_000, space: 0, programId: Keypair.generate().publicKey })
    create.keys[1]!.isSigner = false
    expectReject(checkTransaction(f.input(f.bytes([...f.canonical(), create]))), "system_instruction_forbidden")
    const fromOther = SystemProgram.transfer({ fromPubkey: f.owner, toPubkey: FEE_WALLET, lamports: 1 })
    fromOther.keys[0]!.isSigner = false
    expectReject(checkTransaction(f.input(f.bytes([...f.canonical(), fromOther]))), "system_instruction_forbidden")
  })

  test("a lamport transfer to an unknown account", () => {
    const f = fixture()
    expectReject(checkTransaction(f.input(f.bytes([...f.canonical(), SystemProgram.transfer({ fromPubkey: f.payer, toPubkey: Keypair.generate().publicKey, lamports: 1 })]))), "unknown_recipient")
  })

  test("lamports sent to a known recipient count toward the value", () => {
    const f = fixture()
    // 40,000 lamports at $250/SOL = 10,000 micro-USD; with the 5,000-lamport fee it tips over the allowance.
    const tip = SystemProgram.transfer({ fromPubkey: f.payer, toPubkey: f.owner, lamports: 40_000 })
    expectReject(checkTransaction(f.input(f.bytes([...f.canonical(), tip]))), "value_exceeds_quote")
  })

  test("total value over the quote plus allowance", () => {
    const f = fixture()
    const ixs = [
      createTransferCheckedInstruction(f.payerAta, USDC_MINT, f.ownerAta, f.payer, 15_000n, 6),
      createTransferCheckedInstruction(f.payerAta, USDC_MINT, f.feeAta, f.payer, 4_000n, 6),
    ]
    // 19,000 + 1,250 (the 5,000-lamport base fee) = 20,250 > 10,000 quote + 10,000 allowance.
    expectReject(checkTransaction(f.input(f.bytes(ixs))), "value_exceeds_quote")
  })

  test("ATA creation rent without an allowance to cover it", () => {
    const f = fixture()
    expectReject(checkTransaction(f.input(f.bytes([f.createOwnerAta(), ...f.canonical()]))), "value_exceeds_quote")
  })

  test("an ATA created for a stranger, or funded by someone else", () => {
    const f = fixture()
    const stranger = Keypair.generate().publicKey
    expectReject(checkTransaction(f.input(f.bytes([createAssociatedTokenAccountIdempotentInstruction(f.payer, f.ata(stranger), stranger, USDC_MINT), ...f.canonical()]), { allowanceMicroUsd: 10_000_000 })), "unknown_recipient")
    const funder = Keypair.generate().publicKey
    const byOther = createAssociatedTokenAccountIdempotentInstruction(funder, f.ownerAta, f.owner, USDC_MINT)
    byOther.keys[0]!.isSigner = false
    expectReject(checkTransaction(f.input(f.bytes([byOther, ...f.canonical()]), { allowanceMicroUsd: 10_000_000 })), "ata_instruction_forbidden")
  })

  test("a transfer in a mint other than the quoted one", () => {
    const f = fixture()
    const otherMint = Keypair.generate().publicKey
    const ix = createTransferCheckedInstruction(f.ata(f.payer, otherMint), otherMint, f.ata(f.owner, otherMint), f.payer, 9_000n, 6)
    expectReject(checkTransaction(f.input(f.bytes([ix]))), "foreign_mint")
  })

  test("an extra transfer to an unknown token account", () => {
    const f = fixture()
    const extra = createTransferCheckedInstruction(f.payerAta, USDC_MINT, f.ata(Keypair.generate().publicKey), f.payer, 1n, 6)
    expectReject(checkTransaction(f.input(f.bytes([...f.canonical(), extra]))), "unknown_recipient")
  })

  test("a compute-unit price above the cap", () => {
    const f = fixture()
    expectReject(checkTransaction(f.input(f.bytes([ComputeBudgetProgram.setComputeUnitPrice({ microLamports: 100_001 }), ...f.canonical()]))), "cu_price_above_cap")
  })

  test("a priority fee that the cap allows but the allowance does not (default CU limit of 200k per instruction)", () => {
    const f = fixture()
    // 100,000 µlamports × 400,000 CU = 40,000 lamports = 10,000 micro-USD, plus the base fee.
    expectReject(checkTransaction(f.input(f.bytes([ComputeBudgetProgram.setComputeUnitPrice({ microLamports: 100_000 }), ...f.canonical()]))), "value_exceeds_quote")
  })

  test("a quote above the agent's known price beyond the tolerance", () => {
    const f = fixture()
    expectReject(checkTransaction(f.input(f.bytes(f.canonical()), { knownPriceBase: 9_900n, toleranceBps: 100 })), "quote_above_price")
  })

  test("a quote in another token than the agent is priced in (the amounts would compare lamports with micro-USD)", () => {
    const f = fixture()
    // 10,000 lamports is far less than $0.01; a USDC quote of 10,000 must not pass as "the known price".
    expectReject(checkTransaction(f.input(f.bytes(f.canonical()), { knownPriceBase: 10_000n, knownPriceToken: "SOL" })), "quote_token_mismatch")
  })

  test("a versioned transaction", () => {
    const f = fixture()
    const message = new TransactionMessage({ payerKey: f.payer, recentBlockhash: BLOCKHASH, instructions: f.canonical() }).compileToV0Message()
    expectReject(checkTransaction(f.input(new VersionedTransaction(message).serialize())), "versioned_transaction")
  })

  test("bytes that are not a transaction", () => {
    const f = fixture()
    expectReject(checkTransaction(f.input(new Uint8Array([1, 2, 3]))), "unparseable_transaction")
  })

  test("a second required signer", () => {
    const f = fixture()
    const other = Keypair.generate().publicKey
    expectReject(checkTransaction(f.input(f.bytes([...f.canonical(), SystemProgram.transfer({ fromPubkey: other, toPubkey: f.owner, lamports: 1 })]))), "unexpected_signer")
  })

  test("a second signer declared by the message header even though no instruction uses it as one", () => {
    const f = fixture()
    const wire = f.bytes(f.canonical())
    // Header byte 0 of the message: required signatures 1 → 2, with a second signature slot.
    const message = new Uint8Array(wire.subarray(1 + 64))
    message[0] = 2
    const forged = new Uint8Array([2, ...new Uint8Array(128), ...message])
    expectReject(checkTransaction(f.input(forged)), "unexpected_signer")
  })

  test("a recipient that is not an address matches nothing instead of failing the check", () => {
    const f = fixture()
    const verdict = checkTransaction(f.input(f.bytes(f.canonical()), { recipients: ["not-an-address!", FEE_WALLET.toBase58()] }))
    expectReject(verdict, "unknown_recipient")
  })

  test("an unknown compute-budget instruction (heap frame)", () => {
    const f = fixture()
    expectReject(checkTransaction(f.input(f.bytes([ComputeBudgetProgram.requestHeapFrame({ bytes: 64 * 1024 }), ...f.canonical()]))), "compute_budget_instruction_forbidden")
  })
})

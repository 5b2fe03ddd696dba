// The wire reader the signing policy relies on: it must see exactly what
// web3.js sees in a legacy transaction, and refuse every byte string that is
// not exactly one.
import { ComputeBudgetProgram, Keypair, Message, SystemProgram, Transaction, TransactionMessage, VersionedTransaction } from "@solana/web3.js"
import bs58 from "bs58"
import { describe, expect, test } from "bun:test"
import { addressText } from "../../src/platform/solana/address-text"
import { isParseFailure, parseLegacyTransaction } from "../../src/platform/solana/legacy-transaction"
import { BLOCKHASH, fixture } from "../pool/tx-fixtures"

const f = fixture()
const shapes: Record<string, Transaction> = {
  canonical: f.tx(f.canonical()),
  "with ATA creation and compute budget": f.tx([ComputeBudgetProgram.setComputeUnitLimit({ units: 80_000 }), ComputeBudgetProgram.setComputeUnitPrice({ microLamports: 5 }), f.createOwnerAta(), ...f.canonical()]),
  "two signers": f.tx([SystemProgram.transfer({ fromPubkey: Keypair.generate().publicKey, toPubkey: f.owner, lamports: 7 }), ...f.canonical()]),
}

const wireOf = (tx: Transaction) => new Uint8Array(tx.serialize({ requireAllSignatures: false, verifySignatures: false }))

describe("legacy transaction reader", () => {
  for (const [name, tx] of Object.entries(shapes)) {
    test(`reads the same header, accounts, blockhash, instructions and message as web3.js: ${name}`, () => {
      const wire = wireOf(tx)
      const ours = parseLegacyTransaction(wire)
      if (isParseFailure(ours)) throw new Error(ours.reason)
      const message = tx.serializeMessage()
      const theirs = Message.from(message)
      expect({
        signatures: ours.signatureCount,
        header: [ours.requiredSignatures, ours.readonlySigned, ours.readonlyUnsigned],
        keys: ours.accountKeys.map(addressText),
        blockhash: bs58.encode(ours.recentBlockhash),
        instructions: ours.instructions.map((ix) => ({ programIdIndex: ix.programIndex, accounts: [...ix.accountIndexes], data: bs58.encode(ix.data) })),
        message: Buffer.from(ours.message).equals(message),
      }).toEqual({
        signatures: theirs.header.numRequiredSignatures,
        header: [theirs.header.numRequiredSignatures, theirs.header.numReadonlySignedAccounts, theirs.header.numReadonlyUnsignedAccounts],
        keys: theirs.accountKeys.map((k) => k.toBase58()),
        blockhash: BLOCKHASH,
        instructions: theirs.instructions.map((ix) => ({ programIdIndex: ix.programIdIndex, accounts: ix.accounts, data: ix.data })),
        message: true,
      })
    })
  }

  test("refuses trailing bytes, every truncation and an empty input", () => {
    const wire = wireOf(shapes.canonical!)
    expect(parseLegacyTransaction(new Uint8Array([...wire, 0]))).toMatchObject({ failure: "malformed" })
    for (let n = 0; n < wire.length; n++) expect({ n, result: parseLegacyTransaction(wire.subarray(0, n)) }).toMatchObject({ n, result: { failure: "malformed" } })
  })

  test("refuses an instruction that names an account beyond the list, and signature slots that do not match the header", () => {
    const wire = wireOf(shapes.canonical!)
    const parsed = parseLegacyTransaction(wire)
    if (isParseFailure(parsed)) throw new Error(parsed.reason)
    // The last instruction's first account index sits right after its program index and shortvec count.
    const last = parsed.instructions.at(-1)!
    const dataStart = last.data.byteOffset - wire.byteOffset
    const firstIndexAt = dataStart - 1 - last.accountIndexes.length
    const badIndex = new Uint8Array(wire)
    badIndex[firstIndexAt] = parsed.accountKeys.length
    expect(parseLegacyTransaction(badIndex)).toMatchObject({ failure: "malformed", reason: expect.stringContaining("names account") })
    // Two signature slots for a message that requires one.
    const extraSlot = new Uint8Array([2, ...new Uint8Array(64), ...wire.subarray(1)])
    expect(parseLegacyTransaction(extraSlot)).toMatchObject({ failure: "malformed", reason: expect.stringContaining("signature slots") })
  })

  test("refuses a length spelled in a non-canonical compact-u16, which the cluster would not read", () => {
    const parsed = parseLegacyTransaction(wireOf(shapes.canonical!))
    if (isParseFailure(parsed)) throw new Error(parsed.reason)
    // Re-serializes the parsed transaction, one length field spelled with an extra zero byte ([n | 0x80, 0x00] for n < 128).
    const aliased = (n: number) => [n | 0x80, 0x00]
    const canonical = (n: number) => [n]
    const encode = (spell: { accounts?: typeof canonical; instructions?: typeof canonical; indexes?: typeof canonical; data?: typeof canonical }) => {
      const out = [1, ...new Uint8Array(64), parsed.requiredSignatures, parsed.readonlySigned, parsed.readonlyUnsigned]
      out.push(...(spell.accounts ?? canonical)(parsed.accountKeys.length))
      for (const k of parsed.accountKeys) out.push(...k)
      out.push(...parsed.recentBlockhash, ...(spell.instructions ?? canonical)(parsed.instructions.length))
      for (const ix of parsed.instructions) out.push(ix.programIndex, ...(spell.indexes ?? canonical)(ix.accountIndexes.length), ...ix.accountIndexes, ...(spell.data ?? canonical)(ix.data.length), ...ix.data)
      return new Uint8Array(out)
    }
    // The encoder itself reproduces the original bytes when every length is canonical.
    expect(Buffer.from(encode({})).equals(Buffer.from(wireOf(shapes.canonical!)))).toBe(true)
    for (const field of ["accounts", "instructions", "indexes", "data"] as const) {
      expect({ field, result: parseLegacyTransaction(encode({ [field]: aliased })) }).toMatchObject({ field, result: { failure: "malformed" } })
    }
    // A third byte above 3 is beyond u16 (and a signature count of zero spelled in three bytes is an alias).
    expect(parseLegacyTransaction(new Uint8Array([0xff, 0xff, 0x04, ...new Uint8Array(64)]))).toMatchObject({ failure: "malformed" })
    expect(parseLegacyTransaction(new Uint8Array([0x80, 0x80, 0x00, ...wireOf(shapes.canonical!).subarray(1)]))).toMatchObject({ failure: "malformed" })
  })

  test("refuses a message that lists the same account twice", () => {
    const wire = wireOf(shapes.canonical!)
    const parsed = parseLegacyTransaction(wire)
    if (isParseFailure(parsed)) throw new Error(parsed.reason)
    // Overwrite the last account key with the fee payer's (keys start after the count byte, 64 signature bytes, header and key count).
    const keysAt = 1 + 64 + 3 + 1
    const twice = new Uint8Array(wire)
    twice.set(parsed.accountKeys[0]!, keysAt + 32 * (parsed.accountKeys.length - 1))
    expect(parseLegacyTransaction(twice)).toMatchObject({ failure: "malformed", reason: expect.stringContaining("listed twice") })
  })

  test("tells a versioned transaction apart", () => {
    const message = new TransactionMessage({ payerKey: f.payer, recentBlockhash: BLOCKHASH, instructions: f.canonical() }).compileToV0Message()
    expect(parseLegacyTransaction(new VersionedTransaction(message).serialize())).toMatchObject({ failure: "versioned" })
  })

  test("never throws on corrupted bytes: each single-byte change either parses or is refused", () => {
    const wire = wireOf(shapes["with ATA creation and compute budget"]!)
    let refused = 0
    for (let at = 0; at < wire.length; at++) {
      const bad = new Uint8Array(wire)
      bad[at] = bad[at]! ^ 0xff
      const result = parseLegacyTransaction(bad)
      if (isParseFailure(result)) refused++
      else expect(Buffer.from(result.message).equals(bad.subarray(1 + 64))).toBe(true)
    }
    // Flipping a count or an index breaks the layout; flipping key or data bytes does not.
    expect(refused).toBeGreaterThan(0)
    expect(refused).toBeLessThan(wire.length)
  })
})

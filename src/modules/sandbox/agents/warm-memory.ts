// A WarmMemory-like key-value store: data is keyed by the caller wallet and,
// when given, `input.wallet` (how the gateway gives each API key its own space
// on a pool wallet many keys share); see agent-data.ts.
import { Type } from "@sinclair/typebox"
import { Effect } from "effect"
import { countData, dataNamespace, deleteData, getData, listData, putData } from "../agent-data"
import type { SampleAgent } from "./types"

const Key = Type.String({ minLength: 1, maxLength: 256, description: "Entry key" })
const Wallet = Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: "Namespace within the caller wallet's data" }))
const Value = Type.Union([Type.String({ maxLength: 10_000 }), Type.Record(Type.String(), Type.Unknown())], { description: "A string; objects are stored JSON-encoded" })

const input = Type.Union([
  Type.Object({ action: Type.Literal("store"), key: Key, value: Value, wallet: Wallet }, { additionalProperties: false }),
  Type.Object({ action: Type.Literal("retrieve"), key: Key, wallet: Wallet }, { additionalProperties: false }),
  Type.Object({ action: Type.Literal("delete"), key: Key, wallet: Wallet }, { additionalProperties: false }),
  Type.Object(
    {
      action: Type.Literal("list"),
      prefix: Type.Optional(Type.String({ maxLength: 256 })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
      cursor: Type.Optional(Type.String({ maxLength: 256, description: "The last key of the previous page" })),
      wallet: Wallet,
    },
    { additionalProperties: false },
  ),
])

const output = Type.Object({
  success: Type.Boolean(),
  action: Type.String(),
  key: Type.Optional(Type.String()),
  exists: Type.Optional(Type.Boolean()),
  value: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  deleted: Type.Optional(Type.Boolean()),
  items: Type.Optional(Type.Array(Type.Object({ key: Type.String(), value: Type.String(), updated_at: Type.Integer() }))),
  next_cursor: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  count: Type.Optional(Type.Integer()),
  message: Type.Optional(Type.String()),
})

export const warmMemory: SampleAgent = {
  id: "7c0e8a52-3f1d-4b7e-9a61-2d5c8e4f1a03",
  slug: "warm-memory",
  name: "WarmMemory (sandbox)",
  description: "Persistent key-value memory for agents: store, retrieve, list and delete entries.",
  token: "USDC",
  priceBase: 1_000,
  input,
  output,
  examples: [
    { action: "store", key: "greeting", value: "hello" },
    { action: "retrieve", key: "greeting" },
    { action: "list", prefix: "gre", limit: 10 },
  ],
  run: ({ input, tetto_context, db }) =>
    Effect.gen(function* () {
      const namespace = dataNamespace(tetto_context.caller_wallet, input.wallet)
      const id = tetto_context.current_agent_id
      const key = String(input.key ?? "")
      switch (input.action) {
        case "store": {
          const value = typeof input.value === "string" ? input.value : JSON.stringify(input.value)
          yield* putData(db, id, namespace, key, value, tetto_context.timestamp)
          return { success: true, action: "store", key, message: "Stored" }
        }
        case "retrieve": {
          const row = yield* getData(db, id, namespace, key)
          return { success: true, action: "retrieve", key, exists: row !== undefined, value: row?.value ?? null }
        }
        case "delete":
          return { success: true, action: "delete", key, deleted: yield* deleteData(db, id, namespace, key) }
        default: {
          const limit = typeof input.limit === "number" ? input.limit : 50
          const rows = yield* listData(db, id, namespace, String(input.prefix ?? ""), String(input.cursor ?? ""), limit + 1)
          const page = rows.slice(0, limit)
          return {
            success: true,
            action: "list",
            items: page.map((r) => ({ key: r.key, value: r.value, updated_at: r.updated_at })),
            next_cursor: rows.length > limit ? page[page.length - 1]!.key : null,
            count: yield* countData(db, id, namespace),
          }
        }
      }
    }),
}

// Request fields of the typed storage routes. Lengths follow the storage
// agents (TETTO_PROTOCOL.md): questions 1–1000 characters, answers up to
// 5000, up to 10 tags of up to 50; memory keys up to 256.
import { t } from "elysia"
import { allOf, bodyFailures } from "../../platform/http/failures"
import type { Respond } from "../../platform/http/respond"
import { CallResult } from "../gateway/routes/call-agent"
import { storageCallFailures } from "./failures"

/** Longest stored value, characters after JSON-encoding. */
export const MAX_VALUE_CHARS = 10_000

export const MemoryKey = t.String({ minLength: 1, maxLength: 256, description: "Entry key (1–256 characters)" })
export const Question = t.String({ minLength: 1, maxLength: 1000, description: "The question (1–1000 characters)" })
export const Answer = t.String({ minLength: 1, maxLength: 5000, description: "The answer (1–5000 characters)" })
export const Tags = t.Array(t.String({ minLength: 1, maxLength: 50, description: "A tag (1–50 characters)" }), { maxItems: 10, description: "Up to 10 tags" })

export const StorageHeaders = t.Object({
  authorization: t.Optional(t.String({ description: "Bearer tk_live_… or tk_test_…" })),
  "idempotency-key": t.Optional(t.String({ description: "Makes retries safe: the same key and body within 24 h return the first answer without paying again" })),
})

/** Every storage route answers as an agent call does, from the storage call's failures and its JSON body's. */
export const storageResponses = (respond: Respond) => respond.documented({ 200: CallResult }, allOf(storageCallFailures, bodyFailures))

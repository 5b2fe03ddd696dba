// Elysia strips fields its schema does not name before the handler sees the
// body, so a caller who sends `wallet` would get a silent no-op. The typed
// storage routes read the body as sent and refuse what they do not know.
import { Effect } from "effect"
import type { TObject } from "@sinclair/typebox"
import { InvalidInput } from "../../platform/http/errors"
import { receivedFieldsOf } from "../../platform/http/raw-body"

/** Top-level fields of the body as received that `schema` does not declare. */
const unknownFields = (request: Request, schema: TObject): ReadonlyArray<string> => {
  const known = schema.properties
  return receivedFieldsOf(request).filter((k) => !Object.hasOwn(known, k))
}

export const refuseUnknownFields = (request: Request, schema: TObject) =>
  Effect.suspend(() => {
    const extra = unknownFields(request, schema).slice(0, 20)
    if (extra.length === 0) return Effect.void
    const why = (f: string) =>
      f === "wallet" ? "not accepted: the namespace is always your API key's own" : "unknown field"
    return Effect.fail(
      new InvalidInput({
        detail: `Unknown field${extra.length > 1 ? "s" : ""}: ${extra.map((f) => JSON.stringify(f.slice(0, 50))).join(", ")}. Accepted: ${Object.keys(schema.properties).join(", ")}.`,
        errors: extra.map((f) => ({ field: f.slice(0, 50), message: why(f) })),
      }),
    )
  })

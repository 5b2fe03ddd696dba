// WarmMemory stores strings; anything else is JSON-encoded here so every
// JSON value (objects, arrays, numbers, booleans) round-trips the same way.
import { Effect } from "effect"
import { InvalidInput } from "../../platform/http/errors"
import { MAX_VALUE_CHARS } from "./model"

export const encodeValue = (value: unknown) =>
  Effect.suspend(() => {
    const text = typeof value === "string" ? value : JSON.stringify(value)
    if (text.length > MAX_VALUE_CHARS)
      return Effect.fail(new InvalidInput({ detail: `value is ${text.length} characters once encoded; at most ${MAX_VALUE_CHARS} are stored.`, errors: [{ field: "value", message: `at most ${MAX_VALUE_CHARS} characters once JSON-encoded` }] }))
    return Effect.succeed(text)
  })

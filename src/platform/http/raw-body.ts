// The exact body text the edge parser read, kept per request for the routes
// that must see the bytes as sent (Stripe signs the raw body, and re-serialised
// JSON would not verify), and the top-level fields it held (Elysia strips the
// ones a schema does not name before a handler sees the body).
const raw = new WeakMap<Request, string>()
const fields = new WeakMap<Request, ReadonlyArray<string>>()

export const keepRawBody = (request: Request, text: string): void => {
  raw.set(request, text)
}

export const keepReceivedFields = (request: Request, names: ReadonlyArray<string>): void => {
  fields.set(request, names)
}

/** The body as received, or "" when there was none. */
export const rawBodyOf = (request: Request): string => raw.get(request) ?? ""

/** The top-level fields of the JSON object received, or none. */
export const receivedFieldsOf = (request: Request): ReadonlyArray<string> => fields.get(request) ?? []

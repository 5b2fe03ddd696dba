// The exact body text the edge parser read, kept per request for the routes
// that must see the bytes as sent (Stripe signs the raw body, and re-serialised
// JSON would not verify).
const raw = new WeakMap<Request, string>()

export const keepRawBody = (request: Request, text: string): void => {
  raw.set(request, text)
}

/** The body as received, or "" when there was none. */
export const rawBodyOf = (request: Request): string => raw.get(request) ?? ""

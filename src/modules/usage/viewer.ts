// Who is asking for usage history. An API key sees its own rows; a signed-in
// user sees the rows of all their keys. The Authorization header wins over
// the session cookie: it is what the client chose to send, while a browser
// attaches the cookie to every request on its own. So a bearer session token
// (tks_…) is a session, any other Authorization header is an API key (and its
// errors are API key errors), and only without one is the cookie read.
import { Effect } from "effect"
import { t } from "elysia"
import { sessionFailures } from "../auth/failures"
import { authenticationFailures } from "../keys/failures"
import { requireSession } from "../auth/service"
import { isSessionToken, sessionTokenFrom } from "../auth/session-token"
import { ApiKeyMissing } from "../keys/errors"
import { ApiKeys, bearerToken } from "../keys/verifier"

export type Viewer = { readonly kind: "key"; readonly keyId: string; readonly userId: string } | { readonly kind: "user"; readonly userId: string }

export const viewerOf = (request: Request) =>
  Effect.gen(function* () {
    const authorization = request.headers.get("authorization")
    const cookie = request.headers.get("cookie")
    const token = bearerToken(authorization)
    if (token !== undefined && isSessionToken(token)) {
      const user = yield* requireSession(authorization, null)
      return { kind: "user", userId: user.id } satisfies Viewer as Viewer
    }
    if (authorization === null && sessionTokenFrom(null, cookie) !== undefined) {
      const user = yield* requireSession(null, cookie)
      return { kind: "user", userId: user.id } satisfies Viewer as Viewer
    }
    if (authorization === null) return yield* new ApiKeyMissing()
    const keys = yield* ApiKeys
    const identity = yield* keys.authenticate(authorization)
    return { kind: "key", keyId: identity.keyId, userId: identity.userId } satisfies Viewer as Viewer
  })

/** What working out the viewer can fail with: an API key's refusals or a session's. */
export const viewerFailures = [...authenticationFailures, ...sessionFailures] as const

/** The Authorization header of routes a key or a session may read. */
export const ViewerHeaders = t.Object({
  authorization: t.Optional(t.String({ description: "Bearer tk_live_… (that key's calls) or Bearer tks_… session token (all your keys' calls); takes precedence over the session cookie" })),
})

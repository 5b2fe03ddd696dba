// How a caller proves who it is, as the OpenAPI document names it: the
// schemes (components.securitySchemes) and what each route declares in its
// `detail.security`, so the reference's "try it" sends the right credential.
// The key prefixes and the cookie name are the modules' own (keys, auth).

export const securitySchemes = {
  apiKey: { type: "http", scheme: "bearer", bearerFormat: "tk_live_… or tk_test_…", description: "An API key: `Authorization: Bearer tk_live_…`" },
  sessionBearer: { type: "http", scheme: "bearer", bearerFormat: "tks_…", description: "A session token from POST /v1/auth/login: `Authorization: Bearer tks_…`" },
  sessionCookie: { type: "apiKey", in: "cookie", name: "tdk_session", description: "The session cookie POST /v1/auth/login sets (a browser sends it on its own)" },
  adminToken: { type: "http", scheme: "bearer", description: "The operator's ADMIN_TOKEN: `Authorization: Bearer …`" },
  metricsToken: { type: "http", scheme: "bearer", description: "METRICS_TOKEN, for Prometheus: `Authorization: Bearer …`" },
} as const

/** One way in: scheme names, each with its (empty) scope list. */
type Requirement = Record<string, Array<string>>
const requires = (...names: ReadonlyArray<keyof typeof securitySchemes>): Array<Requirement> => names.map((name) => ({ [name]: [] }))

/** Any one of the listed requirements admits the caller; `none` is a public route. */
export const security = {
  apiKey: requires("apiKey"),
  session: requires("sessionCookie", "sessionBearer"),
  keyOrSession: requires("apiKey", "sessionCookie", "sessionBearer"),
  admin: requires("adminToken"),
  metrics: requires("metricsToken"),
  none: requires(),
}

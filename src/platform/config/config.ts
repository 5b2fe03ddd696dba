// Every environment variable the process reads is declared here, parsed once
// at start-up into one typed, immutable Config. A bad value stops start-up
// with one line per problem naming the variable and the expected form.
import { databaseUrl, describeDatabase, type DatabaseTarget } from "./database-url"
import { bool, httpUrl, int, oneOf, str, type Read } from "./parse"

const stripeKey: Read<string> = (raw) =>
  /^(sk|rk)_(test|live)_[A-Za-z0-9]{8,}$/.test(raw.trim()) ? { ok: true, value: raw.trim() } : { ok: false, expected: "a Stripe secret key (sk_test_…, sk_live_…, rk_…)" }

const meterEventName: Read<string> = (raw) =>
  /^[A-Za-z0-9_.:-]{1,100}$/.test(raw.trim()) ? { ok: true, value: raw.trim() } : { ok: false, expected: "1 to 100 letters, digits, or _ . : -" }

export type Network = "sandbox" | "devnet" | "mainnet"

export type Config = {
  readonly port: number
  readonly host: string
  readonly dataDir: string
  readonly database: DatabaseTarget
  readonly migrateOnStart: boolean
  /** Largest accepted request body, bytes. */
  readonly bodyLimitBytes: number
  readonly logLevel: "debug" | "info" | "warn" | "error"
  readonly network: Network
  readonly tettoApiUrl: string
  readonly solanaRpcUrl: string
  /** Markup on the agent's price, basis points (5000 = 50%). */
  readonly markupBps: number
  readonly adminToken: string | undefined
  /** Grace period for in-flight requests on SIGTERM, ms. */
  readonly shutdownGraceMs: number
  /** Stripe secret key; billing through Stripe is off when unset (usage is still recorded). */
  readonly stripeSecretKey: string | undefined
  readonly stripeWebhookSecret: string | undefined
  /** Stripe API base URL override (tests, self-hosted proxies). */
  readonly stripeApiBase: string | undefined
  readonly stripeMeterEventName: string
  readonly stripePriceId: string | undefined
  readonly stripeMeterId: string | undefined
  /** Per-request timeout for Stripe calls, ms. */
  readonly stripeTimeoutMs: number
  readonly requireCardForFree: boolean
}

type Spec<K extends keyof Config> = {
  readonly env: string
  readonly read: Read<Config[K]>
  readonly fallback: (partial: Partial<Config>) => Config[K]
  readonly secret?: boolean
  readonly doc: string
}

const networkDefaults = {
  devnet: { api: "https://dev.tetto.io", rpc: "https://api.devnet.solana.com" },
  mainnet: { api: "https://tetto.io", rpc: "https://api.mainnet-beta.solana.com" },
} as const

const sandboxBase = (c: Partial<Config>) => `http://127.0.0.1:${c.port ?? 3000}/sandbox`

// Order matters: a fallback may read fields declared above it.
export const configSpec: { readonly [K in keyof Config]: Spec<K> } = {
  port: { env: "PORT", read: int(1, 65535), fallback: () => 3000, doc: "HTTP port" },
  host: { env: "HOST", read: str(), fallback: () => "0.0.0.0", doc: "address to listen on" },
  dataDir: { env: "DATA_DIR", read: str(), fallback: () => "./data", doc: "directory for the SQLite file and generated files" },
  database: {
    env: "DATABASE_URL",
    read: databaseUrl,
    fallback: (c) => ({ dialect: "sqlite", path: `${c.dataDir ?? "./data"}/tdk.db` }),
    doc: "sqlite:<path> (default ./data/tdk.db) or postgres://…",
  },
  migrateOnStart: { env: "MIGRATE_ON_START", read: bool, fallback: () => true, doc: "apply migrations at start-up" },
  bodyLimitBytes: { env: "BODY_LIMIT_BYTES", read: int(1024, 64 * 1024 * 1024), fallback: () => 1024 * 1024, doc: "largest request body in bytes" },
  logLevel: { env: "LOG_LEVEL", read: oneOf(["debug", "info", "warn", "error"]), fallback: () => "info", doc: "least severe level logged" },
  network: { env: "TETTO_NETWORK", read: oneOf(["sandbox", "devnet", "mainnet"]), fallback: () => "sandbox", doc: "sandbox (served by this process), devnet or mainnet" },
  tettoApiUrl: {
    env: "TETTO_API_URL",
    read: httpUrl,
    fallback: (c) => (c.network === "sandbox" || !c.network ? `${sandboxBase(c)}/tetto` : networkDefaults[c.network].api),
    doc: "marketplace base URL (default follows TETTO_NETWORK)",
  },
  solanaRpcUrl: {
    env: "SOLANA_RPC_URL",
    read: httpUrl,
    fallback: (c) => (c.network === "sandbox" || !c.network ? `${sandboxBase(c)}/solana` : networkDefaults[c.network].rpc),
    doc: "Solana JSON-RPC URL (default follows TETTO_NETWORK)",
  },
  markupBps: { env: "MARKUP_BPS", read: int(0, 100_000), fallback: () => 5000, doc: "markup on agent prices in basis points" },
  adminToken: { env: "ADMIN_TOKEN", read: str(24), fallback: () => undefined, secret: true, doc: "bearer token for /admin (admin API absent when unset)" },
  shutdownGraceMs: { env: "SHUTDOWN_GRACE_MS", read: int(0, 600_000), fallback: () => 20_000, doc: "time allowed for in-flight requests on SIGTERM, ms" },
  stripeSecretKey: { env: "STRIPE_SECRET_KEY", read: stripeKey, fallback: () => undefined, secret: true, doc: "Stripe secret key (sk_… or rk_…); Stripe billing is off when unset" },
  stripeWebhookSecret: { env: "STRIPE_WEBHOOK_SECRET", read: str(8), fallback: () => undefined, secret: true, doc: "signing secret of the Stripe webhook endpoint (whsec_…)" },
  stripeApiBase: { env: "STRIPE_API_BASE", read: httpUrl, fallback: () => undefined, doc: "Stripe API base URL override (tests, self-hosted proxies)" },
  stripeMeterEventName: { env: "STRIPE_METER_EVENT_NAME", read: meterEventName, fallback: () => "tdk_api_call", doc: "event_name of the Stripe billing meter usage is reported to" },
  stripePriceId: { env: "STRIPE_PRICE_ID", read: str(), fallback: () => undefined, doc: "metered Stripe price paid subscriptions use (printed by `tdk stripe setup`)" },
  stripeMeterId: { env: "STRIPE_METER_ID", read: str(), fallback: () => undefined, doc: "Stripe billing meter id (printed by `tdk stripe setup`)" },
  stripeTimeoutMs: { env: "STRIPE_TIMEOUT_MS", read: int(100, 120_000), fallback: () => 10_000, doc: "timeout of one Stripe request, ms" },
  requireCardForFree: { env: "REQUIRE_CARD_FOR_FREE", read: bool, fallback: () => false, doc: "require a verified card even on the free tier" },
}

export class ConfigInvalid extends Error {
  constructor(readonly problems: ReadonlyArray<string>) {
    super(problems.join("\n"))
    this.name = "ConfigInvalid"
  }
}

/** Parses an environment into a Config; throws ConfigInvalid listing every bad variable. */
export const loadConfig = (env: Record<string, string | undefined>): Config => {
  const out: Partial<Record<keyof Config, unknown>> = {}
  const problems: Array<string> = []
  for (const key of Object.keys(configSpec) as Array<keyof Config>) {
    const spec = configSpec[key] as Spec<typeof key>
    const raw = env[spec.env]
    if (raw === undefined || raw === "") {
      out[key] = spec.fallback(out as Partial<Config>)
      continue
    }
    const r = spec.read(raw)
    if (r.ok) out[key] = r.value
    else problems.push(`${spec.env}: expected ${r.expected}${spec.secret ? "" : `, got ${JSON.stringify(raw.slice(0, 80))}`}`)
  }
  if (problems.length > 0) throw new ConfigInvalid(problems)
  return Object.freeze(out) as Config
}

/** The effective configuration with every secret redacted, for `tdk config check`. */
export const describeConfig = (config: Config): Array<{ env: string; value: string; doc: string }> =>
  (Object.keys(configSpec) as Array<keyof Config>).map((key) => {
    const spec = configSpec[key]
    const value = config[key]
    const shown = spec.secret
      ? value === undefined ? "(unset)" : "(set, redacted)"
      : key === "database" ? describeDatabase(value as DatabaseTarget) : String(value ?? "(unset)")
    return { env: spec.env, value: shown, doc: spec.doc }
  })

// Every environment variable the process reads is declared here, parsed once
// at start-up into one typed, immutable Config. A bad value stops start-up
// with one line per problem naming the variable and the expected form.
import { databaseUrl, describeDatabase, withoutUrlCredentials, type DatabaseTarget } from "./database-url"
import { defaultTiers, type TierTable } from "../tiers"
import { tierTable } from "./tiers-reader"
import { aliasMap, uuid, uuidList } from "./agent-readers"
import { networkConstants } from "../solana/networks"
import { base58Key, bool, cronPattern, httpUrl, int, oneOf, randomToken, redisUrl, str, type Read } from "./parse"
import type { MasterKey } from "./master-keys"
import { masterKeyList, singleMasterKey } from "./master-keys"
import { trustedHops } from "./trust-proxy"
import { redactString } from "../logging/redact"

const stripePublishableKey: Read<string> = (raw) =>
  /^pk_(test|live)_[A-Za-z0-9]{8,}$/.test(raw.trim()) ? { ok: true, value: raw.trim() } : { ok: false, expected: "a Stripe publishable key (pk_test_…, pk_live_…)" }

const smtpUrl: Read<string> = (raw) => {
  try {
    const u = new URL(raw.trim())
    return (u.protocol === "smtp:" || u.protocol === "smtps:") && u.hostname !== "" ? { ok: true, value: raw.trim() } : { ok: false, expected: "an smtp:// or smtps:// URL" }
  } catch {
    return { ok: false, expected: "an smtp:// or smtps:// URL" }
  }
}

const stripeKey: Read<string> = (raw) =>
  /^(sk|rk)_(test|live)_[A-Za-z0-9]{8,}$/.test(raw.trim()) ? { ok: true, value: raw.trim() } : { ok: false, expected: "a Stripe secret key (sk_test_…, sk_live_…, rk_…)" }

const meterEventName: Read<string> = (raw) =>
  /^[A-Za-z0-9_.:-]{1,100}$/.test(raw.trim()) ? { ok: true, value: raw.trim() } : { ok: false, expected: "1 to 100 letters, digits, or _ . : -" }

export type Network = "sandbox" | "devnet" | "mainnet"

export type Config = {
  /** Path aliases for agents (`warmmemory` → marketplace UUID). */
  readonly agentAliases: Readonly<Record<string, string>>
  /** Agents whose data is keyed by caller wallet: each API key gets its own namespace. */
  readonly namespacedAgentIds: ReadonlyArray<string>
  /** Agent behind /v1/memory/*. */
  readonly memoryAgentId: string | undefined
  /** Agent behind /v1/answers/*. */
  readonly answersAgentId: string | undefined
  /** USD value of 1 SOL, micro-USD, for pricing SOL-priced agents (recorded on each usage row). */
  readonly solPriceMicroUsd: number
  /** When unknown call outcomes are reconciled from the chain (cron, UTC). */
  readonly reconcileCron: string
  /** A reserved or pending row older than this, with no answer, is taken as interrupted by a crash, ms. */
  readonly reconcileStaleAfterMs: number
  /** A payment not on chain this long after its call is taken as never sent, ms (past the blockhash's and the intent's life). */
  readonly reconcileGiveUpAfterMs: number
  /** How long an Idempotency-Key and its stored response are kept, ms. */
  readonly idempotencyTtlMs: number
  readonly port: number
  readonly host: string
  readonly dataDir: string
  readonly database: DatabaseTarget
  readonly migrateOnStart: boolean
  /** Largest accepted request body, bytes. */
  readonly bodyLimitBytes: number
  readonly logLevel: "debug" | "info" | "warn" | "error"
  readonly logFormat: "auto" | "json" | "pretty"
  readonly network: Network
  readonly tettoApiUrl: string
  readonly solanaRpcUrl: string
  /** Markup on the agent's price, basis points (5000 = 50%). */
  readonly markupBps: number
  readonly adminToken: string | undefined
  /** Where operator alerts are posted (Slack-compatible JSON); the log only when unset. */
  readonly alertWebhookUrl: string | undefined
  /** Signs the alert webhook's body (TDK-Signature, as Stripe signs its own). */
  readonly alertWebhookSecret: string | undefined
  /** An alert when the live pool's USDC falls below it, micro-USD; none when unset. */
  readonly poolAlertTotalUsdc: number | undefined
  readonly alertCron: string
  /** SMTP server for developer notifications by e-mail (smtp:// or smtps://); no e-mail when unset. */
  readonly smtpUrl: string | undefined
  readonly smtpFrom: string
  /** Developer webhook endpoints may be private or loopback addresses (self-hosted setups, tests). */
  readonly webhookAllowPrivateHosts: boolean
  /** Bearer token for GET /metrics; the route is absent when unset. */
  readonly metricsToken: string | undefined
  /** Grace period for in-flight requests on SIGTERM, ms. */
  readonly shutdownGraceMs: number
  readonly tiers: TierTable
  /** How long a verified key is trusted without a lookup, ms. */
  readonly keyCacheTtlMs: number
  /** Login session lifetime, ms. */
  readonly sessionTtlMs: number
  /** Trusted proxies in front of the server: 0 = the socket's address is the client's, N = the N-th X-Forwarded-For entry from the right. */
  readonly trustProxy: number
  /** Sign-ups per client address per hour (a burst of that many, then one every hour / N); 0 = not throttled. */
  readonly signupMaxPerHour: number
  /** Login attempts from one address at one account before that pair is locked out. */
  readonly loginMaxFailures: number
  /** First lockout of an (account, address) pair, ms; each further attempt doubles it. */
  readonly loginLockoutMs: number
  /** Longest lockout, how long a pair's count is remembered after it, and the window of the account and address ceilings, ms. */
  readonly loginFailureWindowMs: number
  /** Login attempts at one account from all addresses per window; past it one every window / N. */
  readonly loginMaxPerAccount: number
  /** Login attempts from one address at all accounts per window; past it one every window / N. */
  readonly loginMaxPerAddress: number
  /** Marketplace reads and transaction builds: time allowed per attempt, ms. */
  readonly marketplaceTimeoutMs: number
  /** Marketplace agent calls (submit): time allowed, ms. Agents may run 20 s, coordinators 180 s. */
  readonly marketplaceCallTimeoutMs: number
  /** How long a fetched agent (and its price) is reused, ms. 0 disables the cache. */
  readonly marketplaceAgentCacheTtlMs: number
  /** Attempts for a marketplace read or build (1 = no retry). Calls are never retried. */
  readonly marketplaceReadAttempts: number
  /** First retry delay of a marketplace read or build, ms; doubles per attempt. */
  readonly marketplaceRetryBaseMs: number
  /** Time allowed for one Solana JSON-RPC request, ms. */
  readonly solanaRpcTimeoutMs: number
  /**
   * USDC mint whose associated token accounts hold the pool's balances.
   * Undefined on the sandbox network: the sandbox creates its own mint and
   * hands it to the balance reader at start-up.
   */
  readonly usdcMint: string | undefined
  /** Lifetime of a sandbox payment intent, ms. */
  readonly sandboxIntentTtlMs: number
  /** Wallet master keys, primary first (WALLET_ENCRYPTION_KEYS). */
  readonly walletEncryptionKeys: ReadonlyArray<MasterKey> | undefined
  /** The seed's single master key, id "default" (WALLET_ENCRYPTION_KEY). */
  readonly walletEncryptionKey: ReadonlyArray<MasterKey> | undefined
  /** How long a decrypted wallet secret stays cached for signing, ms. */
  readonly signerCacheTtlMs: number
  /** Most decrypted wallet secrets cached at once. */
  readonly signerCacheMax: number
  /** Value a signed transaction may move beyond the quote, in the quote token's base units (micro-USD for USDC). */
  readonly signingAllowanceBase: number
  /** How far a quote may exceed the agent's known price, basis points. */
  readonly signingPriceToleranceBps: number
  /** Highest compute-unit price the wallet pays, micro-lamports per CU. */
  readonly signingMaxCuPriceMicroLamports: number
  /** Value of one SOL in micro-USD, used to count lamports (rent, fees) against a USDC quote. */
  readonly signingSolPriceMicroUsd: number
  /** Stripe secret key; billing through Stripe is off when unset (usage is still recorded). */
  readonly stripeSecretKey: string | undefined
  readonly stripeWebhookSecret: string | undefined
  /** Stripe publishable key, for Stripe.js on the console's billing page (card entry); no card form without it. */
  readonly stripePublishableKey: string | undefined
  /** Signing secret of the event destination that sends thin events (Stripe's meter error reports). */
  readonly stripeThinWebhookSecret: string | undefined
  /** Stripe API base URL override (tests, self-hosted proxies). */
  readonly stripeApiBase: string | undefined
  /** OTLP/HTTP collector base URL; spans go to `<it>/v1/traces`. No tracing export when unset. */
  readonly otlpEndpoint: string | undefined
  readonly otelServiceName: string
  /** How often batched spans are sent, ms. */
  readonly otelExportDelayMs: number
  readonly stripeMeterEventName: string
  readonly stripePriceId: string | undefined
  readonly stripeMeterId: string | undefined
  /** Per-request timeout for Stripe calls, ms. */
  readonly stripeTimeoutMs: number
  readonly stripeReportLeaseMs: number
  /** Free-tier keys call agents only once their owner has a verified card. */
  readonly requireCardForFree: boolean
  /** Cron pattern of the monthly billing-period close (croner syntax, UTC). */
  readonly billingCloseCron: string
  /** Where rate-limit and concurrency state lives: this process, the Postgres database, or Redis. */
  readonly rateLimitBackend: "memory" | "postgres" | "redis"
  /** Redis for RATE_LIMIT_BACKEND=redis (may carry a password). */
  readonly redisUrl: string | undefined
  /** Time allowed for one limiter round trip to Postgres or Redis, ms. */
  readonly limiterTimeoutMs: number
  /** Lifetime of a concurrency slot nobody released (a crashed instance), ms; longer than the longest agent call. */
  readonly concurrencyLeaseTtlMs: number
  /** Cron pattern of the pool balance check (croner syntax, UTC). */
  readonly poolBalanceCron: string
  /** When the money audit runs (cron, UTC); findings are logged at error level. */
  readonly auditCron: string
  /** Below this USDC balance (micro-USD) a wallet is `low_balance`. */
  readonly poolLowBalanceUsdc: number
  /** Below this SOL balance (lamports) a wallet is `low_balance`. */
  readonly poolLowBalanceLamports: number
  /** Below this USDC balance (micro-USD, the price of one call) a wallet is `depleted` and no longer pays. */
  readonly poolMinCallBase: number
  /** Below this SOL balance (lamports, network fees) a wallet is `depleted`. */
  readonly poolMinLamports: number
  /** USDC each wallet is refilled to, micro-USD (refill report). */
  readonly poolRefillTargetUsdc: number
  /** SOL each wallet is refilled to, lamports (refill report). */
  readonly poolRefillTargetLamports: number
  /** Where a retired wallet's remaining USDC and SOL go (`tdk pool sweep`); sweeping is off when unset. */
  readonly poolTreasuryAddress: string | undefined
  /** Wallets created and funded at first start per empty sandbox pool (test keys' on every network; live on the sandbox). */
  readonly sandboxPoolSize: number
}

type Spec<K extends keyof Config> = {
  readonly env: string
  readonly read: Read<Config[K]>
  readonly fallback: (partial: Partial<Config>) => Config[K]
  readonly secret?: boolean
  readonly doc: string
  /** Why the value applies, for `tdk config check` (`explicit`: the variable was set). */
  readonly why?: (config: Config, explicit: boolean) => string
}

const networkDefaults = {
  devnet: { api: "https://dev.tetto.io", rpc: "https://api.devnet.solana.com" },
  mainnet: { api: "https://tetto.io", rpc: "https://api.mainnet-beta.solana.com" },
} as const

const sandboxBase = (c: Partial<Config>) => `http://127.0.0.1:${c.port ?? 3000}/sandbox`

// Order matters: a fallback may read fields declared above it.
export const configSpec: { readonly [K in keyof Config]: Spec<K> } = {
  agentAliases: {
    env: "AGENT_ALIASES",
    read: aliasMap,
    fallback: () => ({}),
    doc: 'JSON map of path aliases to agent UUIDs, e.g. {"warmmemory":"…"}; the sandbox\'s agents are built in',
  },
  namespacedAgentIds: { env: "NAMESPACED_AGENT_IDS", read: uuidList, fallback: () => [], doc: "comma-separated agent UUIDs that get a per-key namespace (input.wallet); memory and answers agents always do" },
  memoryAgentId: { env: "MEMORY_AGENT_ID", read: uuid, fallback: () => undefined, doc: "agent behind /v1/memory (default: the sandbox's WarmMemory on sandbox)" },
  answersAgentId: { env: "ANSWERS_AGENT_ID", read: uuid, fallback: () => undefined, doc: "agent behind /v1/answers (default: the sandbox's WarmAnswers on sandbox)" },
  solPriceMicroUsd: { env: "SOL_PRICE_MICRO_USD", read: int(1, 1_000_000_000_000), fallback: () => 150_000_000, doc: "USD per SOL in micro-USD, for SOL-priced agents (recorded per call)" },
  reconcileCron: { env: "RECONCILE_CRON", read: cronPattern, fallback: () => "* * * * *", doc: "when calls with an unknown outcome are resolved from the chain (cron, UTC)" },
  reconcileStaleAfterMs: {
    env: "RECONCILE_STALE_AFTER_MS",
    read: int(1_000, 86_400_000),
    fallback: () => 300_000,
    doc: "age after which an open call with no answer is taken as interrupted by a crash, ms; keep it above the longest agent call",
  },
  reconcileGiveUpAfterMs: {
    env: "RECONCILE_GIVE_UP_AFTER_MS",
    read: int(1_000, 86_400_000),
    fallback: () => 900_000,
    doc: "age after which a payment not found on chain is taken as never sent and the call released, ms; keep it above the payment intent's and blockhash's life",
  },
  idempotencyTtlMs: { env: "IDEMPOTENCY_TTL_MS", read: int(60_000, 7 * 86_400_000), fallback: () => 86_400_000, doc: "how long Idempotency-Key responses are kept, ms" },
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
  logFormat: { env: "LOG_FORMAT", read: oneOf(["auto", "json", "pretty"]), fallback: () => "auto", doc: "json (one JSON object per line), pretty (for people), or auto: pretty when standard output is a terminal, json otherwise" },
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
  alertWebhookUrl: { env: "ALERT_WEBHOOK_URL", read: httpUrl, fallback: () => undefined, secret: true, doc: "URL operator alerts are posted to (Slack-compatible JSON: `text` plus `alert`); alerts go to the log only when unset" },
  alertWebhookSecret: { env: "ALERT_WEBHOOK_SECRET", read: str(16), fallback: () => undefined, secret: true, doc: "signs each alert webhook (`TDK-Signature: t=…,v1=…`, HMAC-SHA256 of `t.body`, as Stripe signs)" },
  poolAlertTotalUsdc: { env: "POOL_ALERT_TOTAL_USDC", read: int(1, 1_000_000_000_000_000), fallback: () => undefined, doc: "micro-USD: an alert while the live pool's USDC is below it; none when unset" },
  alertCron: { env: "ALERT_CRON", read: cronPattern, fallback: () => "* * * * *", doc: "when the alert conditions are evaluated (cron, UTC)" },
  smtpUrl: { env: "SMTP_URL", read: smtpUrl, fallback: () => undefined, secret: true, doc: "smtp://user:pass@host:587 or smtps://…:465: developers also get each webhook event by e-mail; none when unset" },
  smtpFrom: { env: "SMTP_FROM", read: str(3), fallback: () => "TDK Core <noreply@localhost>", doc: "From address of developer e-mails" },
  webhookAllowPrivateHosts: { env: "WEBHOOK_ALLOW_PRIVATE_HOSTS", read: bool, fallback: () => false, doc: "let developers register webhook endpoints on private, loopback or link-local addresses (off: the gateway would post into its own network)" },
  metricsToken: { env: "METRICS_TOKEN", read: randomToken(), fallback: () => undefined, secret: true, doc: "bearer token for GET /metrics (Prometheus), 32+ random characters; /metrics is absent when unset" },
  adminToken: { env: "ADMIN_TOKEN", read: randomToken(), fallback: () => undefined, secret: true, doc: "bearer token for /admin, 32+ random characters (`tdk admin new-token`); admin API absent when unset" },
  shutdownGraceMs: { env: "SHUTDOWN_GRACE_MS", read: int(0, 600_000), fallback: () => 20_000, doc: "time allowed for in-flight requests on SIGTERM, ms" },
  tiers: { env: "TIERS_JSON", read: tierTable, fallback: () => defaultTiers, doc: "overrides of the tier table (JSON)" },
  keyCacheTtlMs: { env: "KEY_CACHE_TTL_MS", read: int(0, 300_000), fallback: () => 5000, doc: "how long a verified API key is cached in-process, ms" },
  sessionTtlMs: { env: "SESSION_TTL_MS", read: int(60_000, 90 * 86_400_000), fallback: () => 7 * 86_400_000, doc: "login session lifetime, ms" },
  trustProxy: {
    env: "TRUST_PROXY",
    read: trustedHops,
    fallback: () => 0,
    doc: "trusted proxies in front of the server: 0 = the socket's address, N = the N-th X-Forwarded-For entry from the right (true = 1)",
    why: (c) => (c.trustProxy === 0 ? "X-Forwarded-For ignored; the socket's address is the client's" : `the client is X-Forwarded-For's entry ${c.trustProxy} from the right`),
  },
  signupMaxPerHour: { env: "SIGNUP_MAX_PER_HOUR", read: int(0, 1_000_000), fallback: () => 10, doc: "sign-ups per client address per hour, then 429 (0 = not throttled)" },
  loginMaxFailures: { env: "LOGIN_MAX_FAILURES", read: int(1, 1000), fallback: () => 5, doc: "login attempts from one address at one account before that pair is locked out" },
  loginLockoutMs: { env: "LOGIN_LOCKOUT_MS", read: int(1000, 3_600_000), fallback: () => 60_000, doc: "first lockout of an account and address pair, ms; doubles with each further attempt" },
  loginFailureWindowMs: {
    env: "LOGIN_FAILURE_WINDOW_MS",
    read: int(1000, 86_400_000),
    fallback: () => 15 * 60_000,
    doc: "longest lockout and how long a pair's attempts are remembered after it; window of the account and address ceilings, ms",
  },
  loginMaxPerAccount: { env: "LOGIN_MAX_PER_ACCOUNT", read: int(1, 1_000_000), fallback: () => 100, doc: "login attempts at one account from all addresses per window, then one every window / N" },
  loginMaxPerAddress: { env: "LOGIN_MAX_PER_ADDRESS", read: int(1, 1_000_000), fallback: () => 100, doc: "login attempts from one address at all accounts per window, then one every window / N" },
  marketplaceTimeoutMs: { env: "MARKETPLACE_TIMEOUT_MS", read: int(1, 600_000), fallback: () => 10_000, doc: "time allowed per marketplace read or build attempt, ms" },
  marketplaceCallTimeoutMs: {
    env: "MARKETPLACE_CALL_TIMEOUT_MS",
    read: int(1, 900_000),
    fallback: () => 30_000,
    doc: "time allowed for an agent call, ms (agents may take 20 s, coordinators up to 180 s)",
  },
  marketplaceAgentCacheTtlMs: { env: "MARKETPLACE_AGENT_CACHE_TTL_MS", read: int(0, 86_400_000), fallback: () => 30_000, doc: "how long a fetched agent and its price are reused, ms (0 = no cache)" },
  marketplaceReadAttempts: { env: "MARKETPLACE_READ_ATTEMPTS", read: int(1, 10), fallback: () => 3, doc: "attempts for a marketplace read or build on transient failures (calls are never retried)" },
  marketplaceRetryBaseMs: { env: "MARKETPLACE_RETRY_BASE_MS", read: int(1, 60_000), fallback: () => 200, doc: "first retry delay of a marketplace read, ms (doubles per attempt)" },
  solanaRpcTimeoutMs: { env: "SOLANA_RPC_TIMEOUT_MS", read: int(1, 600_000), fallback: () => 10_000, doc: "time allowed per Solana JSON-RPC request, ms" },
  usdcMint: {
    env: "USDC_MINT",
    read: base58Key,
    fallback: (c) => (c.network === "devnet" || c.network === "mainnet" ? networkConstants[c.network].usdcMint : undefined),
    doc: "USDC mint (default follows TETTO_NETWORK; on sandbox the sandbox supplies its own)",
  },
  sandboxIntentTtlMs: { env: "SANDBOX_INTENT_TTL_MS", read: int(1_000, 3_600_000), fallback: () => 120_000, doc: "lifetime of a sandbox payment intent, ms (the sandbox network, and test keys on every network)" },
  walletEncryptionKeys: {
    env: "WALLET_ENCRYPTION_KEYS",
    read: masterKeyList,
    fallback: () => undefined,
    secret: true,
    doc: "wallet master keys, id:<64 hex> comma-separated, primary first (make one with `tdk pool new-master-key`)",
  },
  walletEncryptionKey: {
    env: "WALLET_ENCRYPTION_KEY",
    read: singleMasterKey,
    fallback: () => undefined,
    secret: true,
    doc: "single wallet master key, 64 hex, id \"default\" (older form of WALLET_ENCRYPTION_KEYS)",
  },
  signerCacheTtlMs: { env: "SIGNER_CACHE_TTL_MS", read: int(0, 86_400_000), fallback: () => 300_000, doc: "how long a decrypted wallet secret stays cached, ms (0 = never cache)" },
  signerCacheMax: { env: "SIGNER_CACHE_MAX", read: int(0, 1_000_000), fallback: () => 1000, doc: "most decrypted wallet secrets cached at once" },
  signingAllowanceBase: { env: "SIGNING_ALLOWANCE_BASE", read: int(0, 1_000_000_000), fallback: () => 10_000, doc: "value a transaction may move beyond the quote, quote token base units (10000 = $0.01 in USDC)" },
  signingPriceToleranceBps: { env: "SIGNING_PRICE_TOLERANCE_BPS", read: int(0, 10_000), fallback: () => 0, doc: "how far a quote may exceed the agent's known price, basis points" },
  signingMaxCuPriceMicroLamports: { env: "SIGNING_MAX_CU_PRICE_MICROLAMPORTS", read: int(0, 1_000_000_000), fallback: () => 100_000, doc: "highest compute-unit price a pool wallet pays, micro-lamports per CU" },
  signingSolPriceMicroUsd: { env: "SIGNING_SOL_PRICE_MICRO_USD", read: int(1, 1_000_000_000_000), fallback: () => 250_000_000, doc: "value of 1 SOL in micro-USD for counting lamports (rent, fees) against a USDC quote; keep it high" },
  stripeSecretKey: { env: "STRIPE_SECRET_KEY", read: stripeKey, fallback: () => undefined, secret: true, doc: "Stripe secret key (sk_… or rk_…); Stripe billing is off when unset" },
  stripePublishableKey: { env: "STRIPE_PUBLISHABLE_KEY", read: stripePublishableKey, fallback: () => undefined, doc: "Stripe publishable key (pk_…) for Stripe.js on the console's billing page, where developers add a card; without it the page has no card form" },
  stripeWebhookSecret: { env: "STRIPE_WEBHOOK_SECRET", read: str(8), fallback: () => undefined, secret: true, doc: "signing secret of the Stripe webhook endpoint (whsec_…)" },
  stripeThinWebhookSecret: {
    env: "STRIPE_THIN_WEBHOOK_SECRET",
    read: str(8),
    fallback: () => undefined,
    secret: true,
    doc: "signing secret of the Stripe event destination (thin events: meter error reports) posting to /v1/webhooks/stripe/thin (whsec_…)",
  },
  otlpEndpoint: { env: "OTEL_EXPORTER_OTLP_ENDPOINT", read: httpUrl, fallback: () => undefined, doc: "OpenTelemetry collector (OTLP/HTTP) base URL: every pipeline span is exported to <url>/v1/traces with its request id; off when unset" },
  otelServiceName: { env: "OTEL_SERVICE_NAME", read: str(1), fallback: () => "tdk-core", doc: "service.name of the exported spans" },
  otelExportDelayMs: { env: "OTEL_BSP_SCHEDULE_DELAY", read: int(10, 600_000), fallback: () => 5000, doc: "how often batched spans are exported, ms" },
  stripeApiBase: { env: "STRIPE_API_BASE", read: httpUrl, fallback: () => undefined, doc: "Stripe API base URL override (tests, self-hosted proxies)" },
  stripeMeterEventName: { env: "STRIPE_METER_EVENT_NAME", read: meterEventName, fallback: () => "tdk_api_call", doc: "event_name of the Stripe billing meter usage is reported to" },
  stripePriceId: { env: "STRIPE_PRICE_ID", read: str(), fallback: () => undefined, doc: "metered Stripe price paid subscriptions use (printed by `tdk stripe setup`)" },
  stripeMeterId: { env: "STRIPE_METER_ID", read: str(), fallback: () => undefined, doc: "Stripe billing meter id (printed by `tdk stripe setup`)" },
  stripeTimeoutMs: { env: "STRIPE_TIMEOUT_MS", read: int(100, 120_000), fallback: () => 10_000, doc: "timeout of one Stripe request, ms" },
  stripeReportLeaseMs: {
    env: "STRIPE_REPORT_LEASE_MS",
    read: int(1_000, 3_600_000),
    fallback: () => 300_000,
    doc: "how long a usage reporter holds the customers it serves, ms; a crashed reporter's customers (and its written meter events) are taken over once it lapses",
  },
  requireCardForFree: {
    env: "REQUIRE_CARD_FOR_FREE",
    read: bool,
    // Free keys spend the pool's real money on devnet and mainnet; a verified card is what stops account farming.
    fallback: (c) => c.stripeSecretKey !== undefined && (c.network === "devnet" || c.network === "mainnet"),
    doc: "free-tier keys' agent calls need a verified card (402 card_required until then); default on when STRIPE_SECRET_KEY is set on devnet or mainnet",
    why: (c, explicit) =>
      explicit ? "set by REQUIRE_CARD_FOR_FREE"
      : c.requireCardForFree ? `default: Stripe is configured on ${c.network}`
      : c.network === "sandbox" ? "default: off on the sandbox network"
      : "default: off while STRIPE_SECRET_KEY is unset",
  },
  billingCloseCron: { env: "BILLING_CLOSE_CRON", read: cronPattern, fallback: () => "15 0 1 * *", doc: "when `tdk serve` writes last month's billing periods (cron pattern, UTC; default 00:15 on the 1st)" },
  rateLimitBackend: {
    env: "RATE_LIMIT_BACKEND",
    read: oneOf(["memory", "postgres", "redis"]),
    fallback: () => "memory",
    doc: "where rate-limit and concurrency state lives: memory (one instance), postgres (needs a Postgres DATABASE_URL) or redis (needs REDIS_URL)",
  },
  redisUrl: { env: "REDIS_URL", read: redisUrl, fallback: () => undefined, secret: true, doc: "redis://[user:password@]host:port[/db] or rediss://… (required when RATE_LIMIT_BACKEND=redis)" },
  limiterTimeoutMs: { env: "RATE_LIMIT_TIMEOUT_MS", read: int(10, 60_000), fallback: () => 2000, doc: "time allowed for one limiter round trip to Postgres or Redis, ms (then 503)" },
  concurrencyLeaseTtlMs: {
    env: "CONCURRENCY_LEASE_TTL_MS",
    read: int(1_000, 86_400_000),
    fallback: () => 200_000,
    doc: "lifetime of an unreleased concurrency slot (a crashed instance's), ms; keep it above the longest agent call",
  },
  auditCron: { env: "AUDIT_CRON", read: cronPattern, fallback: () => "30 * * * *", doc: "when `tdk serve` runs the money audit of the current month (cron pattern, UTC; default hourly); findings are logged at error level" },
  poolBalanceCron: { env: "POOL_BALANCE_CRON", read: cronPattern, fallback: () => "0 * * * *", doc: "when `tdk serve` checks pool balances (cron pattern, UTC; default hourly)" },
  poolLowBalanceUsdc: { env: "POOL_LOW_BALANCE_USDC", read: int(0, 1_000_000_000_000), fallback: () => 10_000_000, doc: "USDC below which a wallet is low_balance, micro-USD (10000000 = $10)" },
  poolLowBalanceLamports: { env: "POOL_LOW_BALANCE_LAMPORTS", read: int(0, 1_000_000_000_000), fallback: () => 5_000_000, doc: "SOL below which a wallet is low_balance, lamports (5000000 = 0.005 SOL, ~1000 network fees)" },
  poolMinCallBase: { env: "POOL_MIN_CALL_BASE", read: int(0, 1_000_000_000), fallback: () => 40_000, doc: "USDC below which a wallet is depleted (the price of one call), micro-USD (40000 = $0.04)" },
  poolMinLamports: { env: "POOL_MIN_LAMPORTS", read: int(0, 1_000_000_000), fallback: () => 10_000, doc: "SOL below which a wallet is depleted (network fees), lamports (10000 = two 5000-lamport fees)" },
  poolRefillTargetUsdc: { env: "POOL_REFILL_TARGET_USDC", read: int(0, 1_000_000_000_000), fallback: () => 100_000_000, doc: "USDC the refill report tops each wallet up to, micro-USD (100000000 = $100)" },
  poolTreasuryAddress: { env: "POOL_TREASURY_ADDRESS", read: base58Key, fallback: () => undefined, doc: "the treasury wallet (base58) that sweeps send a retired wallet's USDC and SOL to; its USDC account must exist; no sweeping when unset" },
  poolRefillTargetLamports: { env: "POOL_REFILL_TARGET_LAMPORTS", read: int(0, 1_000_000_000_000), fallback: () => 100_000_000, doc: "SOL the refill report tops each wallet up to, lamports (100000000 = 0.1 SOL)" },
  sandboxPoolSize: { env: "SANDBOX_POOL_SIZE", read: int(0, 1000), fallback: () => 10, doc: "wallets created and funded from the sandbox faucet at first start for each empty sandbox pool: the test keys' pool on every network, and the live pool on the sandbox network (0 = none)" },
}

/** Rules between variables, checked once each variable parsed: one line per problem, naming the variable. */
const crossChecks = (c: Config): Array<string> => [
  ...(c.rateLimitBackend === "redis" && c.redisUrl === undefined ? ["REDIS_URL: required when RATE_LIMIT_BACKEND=redis"] : []),
  ...(c.rateLimitBackend === "postgres" && c.database.dialect !== "postgres"
    ? ["RATE_LIMIT_BACKEND: postgres needs DATABASE_URL=postgres://… (the database is SQLite); use memory or redis"]
    : []),
  // Giving up on a payment while its submit may still be in flight would
  // release a call that then pays: the pool would pay and nobody be charged.
  ...(c.reconcileGiveUpAfterMs <= c.marketplaceCallTimeoutMs
    ? [`RECONCILE_GIVE_UP_AFTER_MS: must exceed MARKETPLACE_CALL_TIMEOUT_MS (${c.marketplaceCallTimeoutMs} ms), or a call still being submitted could be released`]
    : []),
]

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
    // A bad value is echoed to help, but URLs may carry credentials: scrubbed first.
    else problems.push(`${spec.env}: expected ${r.expected}${spec.secret ? "" : `, got ${JSON.stringify(redactString(raw).slice(0, 80))}`}`)
  }
  if (problems.length === 0) problems.push(...crossChecks(out as Config))
  if (problems.length > 0) throw new ConfigInvalid(problems)
  return Object.freeze(out) as Config
}

/** The effective configuration with every secret redacted, for `tdk config check`; `env` tells a set variable from a default. */
export const describeConfig = (config: Config, env?: Record<string, string | undefined>): Array<{ env: string; value: string; doc: string; set: boolean }> =>
  (Object.keys(configSpec) as Array<keyof Config>).map((key) => {
    const spec = configSpec[key]
    const value = config[key]
    const shown = spec.secret
      ? value === undefined ? "(unset)" : "(set, redacted)"
      : key === "database" ? describeDatabase(value as DatabaseTarget)
      : typeof value === "object" && value !== null ? JSON.stringify(value)
      : typeof value === "string" ? withoutUrlCredentials(value)
      : String(value ?? "(unset)")
    const why = (spec as Spec<typeof key>).why
    // Without the environment, a value other than the default must have been set.
    const explicit = () => (env === undefined ? value !== (spec as Spec<typeof key>).fallback(config) : (env[spec.env] ?? "") !== "")
    return { env: spec.env, value: why === undefined ? shown : `${shown} (${why(config, explicit())})`, doc: spec.doc, set: explicit() }
  })

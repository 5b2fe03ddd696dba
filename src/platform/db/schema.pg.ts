// Postgres schema. Must stay column-for-column equal to schema.sqlite.ts: one store
// contract suite runs against both. Times are epoch milliseconds; money is
// integer micro-USD (= USDC base units) and lamports.
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core"
import { sql } from "drizzle-orm"

export const users = pgTable("users", {
  id: text("id").primaryKey(),
  email: text("email").notNull(),
  passwordHash: text("password_hash").notNull(),
  stripeCustomerId: text("stripe_customer_id"),
  cardVerifiedAt: bigint("card_verified_at", { mode: "number" }),
  tier: text("tier").notNull().default("free"),
  createdAt: bigint("created_at", { mode: "number" }).notNull(),
}, (t) => [uniqueIndex("users_email_uq").on(t.email)])

export const sessions = pgTable("sessions", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id),
  tokenHash: text("token_hash").notNull(),
  createdAt: bigint("created_at", { mode: "number" }).notNull(),
  expiresAt: bigint("expires_at", { mode: "number" }).notNull(),
}, (t) => [uniqueIndex("sessions_token_hash_uq").on(t.tokenHash)])

export const apiKeys = pgTable("api_keys", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id),
  keyHash: text("key_hash").notNull(),
  prefix: text("prefix").notNull(),
  name: text("name").notNull(),
  environment: text("environment").notNull(),
  tier: text("tier").notNull(),
  rateLimitPerMinute: bigint("rate_limit_per_minute", { mode: "number" }),
  monthlyQuota: bigint("monthly_quota", { mode: "number" }),
  concurrencyLimit: bigint("concurrency_limit", { mode: "number" }),
  monthlySpendCapMicroUsd: bigint("monthly_spend_cap_micro_usd", { mode: "number" }),
  walletId: text("wallet_id"),
  status: text("status").notNull().default("active"),
  statusReason: text("status_reason"),
  // A rolled key's previous hash keeps working until graceUntil (epoch ms).
  previousKeyHash: text("previous_key_hash"),
  previousKeyGraceUntil: bigint("previous_key_grace_until", { mode: "number" }),
  createdAt: bigint("created_at", { mode: "number" }).notNull(),
  lastUsedAt: bigint("last_used_at", { mode: "number" }),
  revokedAt: bigint("revoked_at", { mode: "number" }),
  expiresAt: bigint("expires_at", { mode: "number" }),
  // Storage agents' input.wallet for this key: random, secret, fixed for the
  // key's life (see modules/keys/storage-namespace.ts); every insert draws
  // one. Rows created before it existed hold `tdk_<id>`.
  storageNamespace: text("storage_namespace").notNull(),
  // The wallet that paid the key's first storage call: storage agents key
  // data by the paying wallet, so every later storage call pays from it,
  // also after rotation moves the key's other calls to a new wallet.
  storageWalletId: text("storage_wallet_id"),
}, (t) => [
  index("api_keys_storage_wallet_idx").on(t.storageWalletId),
  uniqueIndex("api_keys_key_hash_uq").on(t.keyHash),
  uniqueIndex("api_keys_storage_namespace_uq").on(t.storageNamespace),
  index("api_keys_previous_key_hash_idx").on(t.previousKeyHash),
  index("api_keys_user_idx").on(t.userId),
])

export const walletPool = pgTable("wallet_pool", {
  id: text("id").primaryKey(),
  publicKey: text("public_key").notNull(),
  encryptedSecret: text("encrypted_secret").notNull(),
  usdcBalance: bigint("usdc_balance", { mode: "number" }).notNull().default(0),
  lamports: bigint("lamports", { mode: "number" }).notNull().default(0),
  lastBalanceCheckAt: bigint("last_balance_check_at", { mode: "number" }),
  lastBalanceError: text("last_balance_error"),
  assignedKeyCount: bigint("assigned_key_count", { mode: "number" }).notNull().default(0),
  status: text("status").notNull().default("active"),
  createdAt: bigint("created_at", { mode: "number" }).notNull(),
  rotatedAt: bigint("rotated_at", { mode: "number" }),
  // "live" pays on TETTO_NETWORK; "test" is the built-in sandbox's own pool,
  // which pays for test keys' calls on every network.
  environment: text("environment").notNull().default("live"),
  // Wallet rotation (pool/rotation.ts): when the wallet stopped paying for
  // its keys, and the wallet they moved to.
  retiredAt: bigint("retired_at", { mode: "number" }),
  replacedBy: text("replaced_by"),
  // The sweep of a retired wallet to the treasury (pool/sweep.ts): when it
  // was found empty after a sweep, and the last sweep transaction sent.
  sweptAt: bigint("swept_at", { mode: "number" }),
  sweepSignature: text("sweep_signature"),
}, (t) => [uniqueIndex("wallet_pool_public_key_uq").on(t.publicKey)])

export const usage = pgTable("usage", {
  id: text("id").primaryKey(),
  keyId: text("key_id").notNull(),
  userId: text("user_id").notNull(),
  agentId: text("agent_id").notNull(),
  agentName: text("agent_name").notNull(),
  agentPriceMicroUsd: bigint("agent_price_micro_usd", { mode: "number" }).notNull(),
  markupMicroUsd: bigint("markup_micro_usd", { mode: "number" }).notNull(),
  // What the agent quoted in its own token (USDC base units or lamports),
  // and for SOL the micro-USD per SOL rate it was converted at.
  priceToken: text("price_token").notNull().default("USDC"),
  priceBase: bigint("price_base", { mode: "number" }).notNull().default(0),
  solRateMicroUsd: bigint("sol_rate_micro_usd", { mode: "number" }),
  developerPriceMicroUsd: bigint("developer_price_micro_usd", { mode: "number" }).notNull(),
  walletId: text("wallet_id").notNull(),
  requestId: text("request_id").notNull(),
  idempotencyKey: text("idempotency_key"),
  paymentIntentId: text("payment_intent_id"),
  state: text("state").notNull(),
  txSignature: text("tx_signature"),
  receiptId: text("receipt_id"),
  error: text("error"),
  stripeState: text("stripe_state").notNull().default("none"),
  stripeReportedAt: bigint("stripe_reported_at", { mode: "number" }),
  // Outbox lease: the reporter instance that claimed the row and until when (epoch ms).
  stripeLeaseOwner: text("stripe_lease_owner"),
  stripeLeaseUntil: bigint("stripe_lease_until", { mode: "number" }),
  // The meter event that carries this row to Stripe: written before the event
  // is sent, never changed, so a resend after a crash is the same event
  // (identifier and value) and Stripe drops the repeat.
  stripeBatchId: text("stripe_batch_id"),
  // Why the row was flagged for the operator (too old for Stripe, refused by Stripe).
  stripeError: text("stripe_error"),
  createdAt: bigint("created_at", { mode: "number" }).notNull(),
  settledAt: bigint("settled_at", { mode: "number" }),
  // The key's environment: "test" calls ran on the sandbox, moved no real
  // money, and are never billed (stripe_state "skipped").
  environment: text("environment").notNull().default("live"),
  // Decided once, when the call is reserved, from its key's environment and
  // tier at that moment: settlement (the call's own or the reconciler's, maybe
  // after a tier change) only reads it. Billable rows settle "pending" for
  // the Stripe reporter, the others "skipped".
  billable: boolean("billable"),
}, (t) => [
  // History pages newest first by id (ids sort by creation time): an index in
  // that order reads one page, however many rows the key or user has.
  index("usage_key_id_idx").on(t.keyId, t.id),
  index("usage_user_id_idx").on(t.userId, t.id),
  index("usage_user_created_idx").on(t.userId, t.createdAt),
  // GET /v1/usage/requests/{id}: a caller may send its own X-Request-Id, so
  // many users' rows can share one; the user's column next keeps a lookup
  // to the caller's own rows, and id last gives the newest without a sort.
  index("usage_request_id_idx").on(t.requestId, t.userId, t.id),
  index("usage_state_idx").on(t.state),
  index("usage_stripe_outbox_idx").on(t.stripeState, t.state, t.createdAt),
  index("usage_stripe_batch_idx").on(t.stripeBatchId).where(sql`stripe_batch_id is not null`),
  // A user's rows waiting for Stripe, by time (the reporter's batches), however many the user has reported.
  index("usage_stripe_pending_idx").on(t.userId, t.createdAt).where(sql`stripe_state = 'pending'`),
  // One payment per call: no signature (the signed message) and no payment
  // intent ever serves two rows, whichever instance wrote them.
  uniqueIndex("usage_tx_signature_uq").on(t.txSignature),
  uniqueIndex("usage_payment_intent_uq").on(t.paymentIntentId),
])

export const usagePeriods = pgTable("usage_periods", {
  keyId: text("key_id").notNull(),
  period: text("period").notNull(),
  ops: bigint("ops", { mode: "number" }).notNull().default(0),
  spendMicroUsd: bigint("spend_micro_usd", { mode: "number" }).notNull().default(0),
}, (t) => [primaryKey({ columns: [t.keyId, t.period] })])

// Settled calls per key, UTC day (of the call's start) and agent, kept in the
// transaction that settles each row: the developer's reads (this month by
// agent, per day) add up at most 31 rows per agent instead of scanning the
// month's usage rows. The money audit checks them against the rows.
export const usageAgentDays = pgTable("usage_agent_days", {
  keyId: text("key_id").notNull(),
  day: text("day").notNull(),
  agentId: text("agent_id").notNull(),
  userId: text("user_id").notNull(),
  agentName: text("agent_name").notNull(),
  calls: bigint("calls", { mode: "number" }).notNull().default(0),
  spendMicroUsd: bigint("spend_micro_usd", { mode: "number" }).notNull().default(0),
}, (t) => [primaryKey({ columns: [t.keyId, t.day, t.agentId] }), index("usage_agent_days_user_day_idx").on(t.userId, t.day)])

// A user's live settled calls in a period (by the call's start), and where
// their billing stands with Stripe: pending, reported or flagged. Kept by
// triggers on usage (migration 0011) in the statement that changes a row, so
// whatever path settles, reports or flags a row, the counters follow; the
// billing reads, the reconciliation and the monthly close read them instead
// of the month's rows, and the money audit checks them against the rows.
export const billingUsage = pgTable("billing_usage", {
  userId: text("user_id").notNull(),
  period: text("period").notNull(),
  settledOps: bigint("settled_ops", { mode: "number" }).notNull().default(0),
  settledMicroUsd: bigint("settled_micro_usd", { mode: "number" }).notNull().default(0),
  pendingRows: bigint("pending_rows", { mode: "number" }).notNull().default(0),
  pendingMicroUsd: bigint("pending_micro_usd", { mode: "number" }).notNull().default(0),
  reportedRows: bigint("reported_rows", { mode: "number" }).notNull().default(0),
  reportedMicroUsd: bigint("reported_micro_usd", { mode: "number" }).notNull().default(0),
  flaggedRows: bigint("flagged_rows", { mode: "number" }).notNull().default(0),
  flaggedMicroUsd: bigint("flagged_micro_usd", { mode: "number" }).notNull().default(0),
}, (t) => [
  primaryKey({ columns: [t.userId, t.period] }),
  // The usage reporter's work list: the users with rows waiting for Stripe.
  index("billing_usage_pending_idx").on(t.userId).where(sql`pending_rows > 0`),
])

export const billingPeriods = pgTable("billing_periods", {
  userId: text("user_id").notNull(),
  period: text("period").notNull(),
  ops: bigint("ops", { mode: "number" }).notNull().default(0),
  totalMicroUsd: bigint("total_micro_usd", { mode: "number" }).notNull().default(0),
  stripeInvoiceId: text("stripe_invoice_id"),
  stripeSubscriptionId: text("stripe_subscription_id"),
  status: text("status").notNull().default("pending"),
  closedAt: bigint("closed_at", { mode: "number" }),
}, (t) => [primaryKey({ columns: [t.userId, t.period] })])

export const stripeEvents = pgTable("stripe_events", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  processedAt: bigint("processed_at", { mode: "number" }).notNull(),
  // applied, stale (a newer event had already set that state), unknown_customer,
  // malformed (genuine but unreadable: acknowledged, nothing changed) or
  // foreign_meter; a redelivery of any of them changes nothing.
  outcome: text("outcome").notNull().default("applied"),
  // The developer events an applied event owes (JSON), written in the
  // transaction that applied it and cleared once they are queued: a crash in
  // between leaves them here, and Stripe's redelivery (it had no 2xx) queues them.
  notices: text("notices"),
})

// The newest Stripe event applied to each piece of state Stripe drives
// (subject: `tier:<user>`, `payment:<user>`, `period:<user>:<YYYY-MM>`).
// Stripe does not deliver events in order; an older one must not undo it.
export const stripeStateVersions = pgTable("stripe_state_versions", {
  subject: text("subject").primaryKey(),
  // Stripe's `created` of that event, Unix seconds.
  eventCreated: bigint("event_created", { mode: "number" }).notNull(),
  // Precedence between events on one object created in the same second: the
  // terminal state wins (an invoice paid over failed, a subscription deleted over updated).
  eventRank: integer("event_rank").notNull(),
  // The Stripe object (invoice, subscription) that event was about.
  objectId: text("object_id").notNull(),
  eventId: text("event_id").notNull(),
})

// Stripe's asynchronous meter-event error reports (thin events
// v1.billing.meter.error_report_triggered / no_meter_found). The rows they
// name are flagged on usage; what they count but do not name is kept here
// for the reconciliation.
// Which usage reporter serves which user, until when: one reporter sends a
// customer's meter events at a time (Stripe takes one at a time per customer
// and meter), and a dead reporter's users are taken over once its lease
// lapses. served_at orders the work list, least recently served first.
export const stripeReportLeases = pgTable("stripe_report_leases", {
  userId: text("user_id").primaryKey(),
  owner: text("owner").notNull(),
  until: bigint("until", { mode: "number" }).notNull(),
  servedAt: bigint("served_at", { mode: "number" }).notNull().default(0),
})

export const stripeMeterErrorReports = pgTable("stripe_meter_error_reports", {
  eventId: text("event_id").primaryKey(),
  type: text("type").notNull(),
  meterId: text("meter_id"),
  errorCount: integer("error_count").notNull(),
  // Errors whose identifier is one of our usage rows.
  attributedCount: integer("attributed_count").notNull(),
  summary: text("summary").notNull(),
  // Stripe's validation window of the report, epoch ms.
  windowStart: bigint("window_start", { mode: "number" }).notNull(),
  windowEnd: bigint("window_end", { mode: "number" }).notNull(),
  receivedAt: bigint("received_at", { mode: "number" }).notNull(),
}, (t) => [index("stripe_meter_error_reports_window_idx").on(t.windowStart)])

// Developer webhooks (modules/webhooks): a user's endpoints, and one
// delivery row per event and endpoint, retried with backoff until delivered
// or given up (the outbox the delivery job drains).
export const webhookEndpoints = pgTable("webhook_endpoints", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull(),
  url: text("url").notNull(),
  secret: text("secret").notNull(),
  events: text("events").notNull(),
  createdAt: bigint("created_at", { mode: "number" }).notNull(),
  deletedAt: bigint("deleted_at", { mode: "number" }),
}, (t) => [index("webhook_endpoints_user_idx").on(t.userId)])

export const webhookDeliveries = pgTable("webhook_deliveries", {
  id: text("id").primaryKey(),
  eventId: text("event_id").notNull(),
  endpointId: text("endpoint_id").notNull(),
  userId: text("user_id").notNull(),
  type: text("type").notNull(),
  payload: text("payload").notNull(),
  state: text("state").notNull(),
  attempts: integer("attempts").notNull().default(0),
  nextAttemptAt: bigint("next_attempt_at", { mode: "number" }).notNull(),
  lastStatus: integer("last_status"),
  lastError: text("last_error"),
  createdAt: bigint("created_at", { mode: "number" }).notNull(),
  deliveredAt: bigint("delivered_at", { mode: "number" }),
}, (t) => [
  uniqueIndex("webhook_deliveries_event_endpoint_uq").on(t.eventId, t.endpointId),
  index("webhook_deliveries_due_idx").on(t.state, t.nextAttemptAt),
  index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.createdAt),
])

// Operator alerts (modules/alerts): one row per condition and subject, its
// state, and the state last delivered to the alert webhook (null: none yet).
export const alerts = pgTable("alerts", {
  id: text("id").primaryKey(),
  kind: text("kind").notNull(),
  subject: text("subject").notNull(),
  state: text("state").notNull(),
  detail: text("detail").notNull(),
  startedAt: bigint("started_at", { mode: "number" }).notNull(),
  clearedAt: bigint("cleared_at", { mode: "number" }),
  notifiedState: text("notified_state"),
}, (t) => [index("alerts_kind_idx").on(t.kind, t.state)])

export const idempotency = pgTable("idempotency", {
  scope: text("scope").notNull(),
  key: text("key").notNull(),
  requestHash: text("request_hash").notNull(),
  state: text("state").notNull(),
  status: integer("status"),
  response: text("response"),
  createdAt: bigint("created_at", { mode: "number" }).notNull(),
  expiresAt: bigint("expires_at", { mode: "number" }).notNull(),
}, (t) => [primaryKey({ columns: [t.scope, t.key] })])


// Rate limiter state (RATE_LIMIT_BACKEND=postgres), one row per key: for a
// GCRA key the arrival time (µs since the epoch) and last_allowed 1 when the
// latest check passed; for a lockout key (login:…) the forget time and the
// attempts counted. A row whose tat_us has passed is idle: the hourly
// limits-sweep job deletes it.
export const rateLimits = pgTable("rate_limits", {
  keyId: text("key_id").primaryKey(),
  tatUs: bigint("tat_us", { mode: "number" }).notNull(),
  lastAllowed: integer("last_allowed").notNull(),
})

// In-flight call leases (RATE_LIMIT_BACKEND=postgres): per key, an object of
// lease id → expiry (epoch ms), so one upsert can count and add atomically.
export const concurrencyLeases = pgTable("concurrency_leases", {
  keyId: text("key_id").primaryKey(),
  leases: jsonb("leases").notNull(),
  updatedAt: bigint("updated_at", { mode: "number" }).notNull(),
})

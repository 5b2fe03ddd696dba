// SQLite schema. Must stay column-for-column equal to schema.pg.ts: one store
// contract suite runs against both. Times are epoch milliseconds; money is
// integer micro-USD (= USDC base units) and lamports.
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core"
import { sql } from "drizzle-orm"

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  email: text("email").notNull(),
  passwordHash: text("password_hash").notNull(),
  stripeCustomerId: text("stripe_customer_id"),
  cardVerifiedAt: integer("card_verified_at"),
  tier: text("tier").notNull().default("free"),
  createdAt: integer("created_at").notNull(),
}, (t) => [uniqueIndex("users_email_uq").on(t.email)])

export const sessions = sqliteTable("sessions", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id),
  tokenHash: text("token_hash").notNull(),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
}, (t) => [uniqueIndex("sessions_token_hash_uq").on(t.tokenHash)])

export const apiKeys = sqliteTable("api_keys", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id),
  keyHash: text("key_hash").notNull(),
  prefix: text("prefix").notNull(),
  name: text("name").notNull(),
  environment: text("environment").notNull(),
  tier: text("tier").notNull(),
  rateLimitPerMinute: integer("rate_limit_per_minute"),
  monthlyQuota: integer("monthly_quota"),
  concurrencyLimit: integer("concurrency_limit"),
  monthlySpendCapMicroUsd: integer("monthly_spend_cap_micro_usd"),
  walletId: text("wallet_id"),
  status: text("status").notNull().default("active"),
  statusReason: text("status_reason"),
  // A rolled key's previous hash keeps working until graceUntil (epoch ms).
  previousKeyHash: text("previous_key_hash"),
  previousKeyGraceUntil: integer("previous_key_grace_until"),
  createdAt: integer("created_at").notNull(),
  lastUsedAt: integer("last_used_at"),
  revokedAt: integer("revoked_at"),
  expiresAt: integer("expires_at"),
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

export const walletPool = sqliteTable("wallet_pool", {
  id: text("id").primaryKey(),
  publicKey: text("public_key").notNull(),
  encryptedSecret: text("encrypted_secret").notNull(),
  usdcBalance: integer("usdc_balance").notNull().default(0),
  lamports: integer("lamports").notNull().default(0),
  lastBalanceCheckAt: integer("last_balance_check_at"),
  lastBalanceError: text("last_balance_error"),
  assignedKeyCount: integer("assigned_key_count").notNull().default(0),
  status: text("status").notNull().default("active"),
  createdAt: integer("created_at").notNull(),
  rotatedAt: integer("rotated_at"),
  // "live" pays on TETTO_NETWORK; "test" is the built-in sandbox's own pool,
  // which pays for test keys' calls on every network.
  environment: text("environment").notNull().default("live"),
  // Wallet rotation (pool/rotation.ts): when the wallet stopped paying for
  // its keys, and the wallet they moved to.
  retiredAt: integer("retired_at"),
  replacedBy: text("replaced_by"),
  // The sweep of a retired wallet to the treasury (pool/sweep.ts): when it
  // was found empty after a sweep, and the last sweep transaction sent.
  sweptAt: integer("swept_at"),
  sweepSignature: text("sweep_signature"),
}, (t) => [uniqueIndex("wallet_pool_public_key_uq").on(t.publicKey)])

export const usage = sqliteTable("usage", {
  id: text("id").primaryKey(),
  keyId: text("key_id").notNull(),
  userId: text("user_id").notNull(),
  agentId: text("agent_id").notNull(),
  agentName: text("agent_name").notNull(),
  agentPriceMicroUsd: integer("agent_price_micro_usd").notNull(),
  markupMicroUsd: integer("markup_micro_usd").notNull(),
  // What the agent quoted in its own token (USDC base units or lamports),
  // and for SOL the micro-USD per SOL rate it was converted at.
  priceToken: text("price_token").notNull().default("USDC"),
  priceBase: integer("price_base").notNull().default(0),
  solRateMicroUsd: integer("sol_rate_micro_usd"),
  developerPriceMicroUsd: integer("developer_price_micro_usd").notNull(),
  walletId: text("wallet_id").notNull(),
  requestId: text("request_id").notNull(),
  idempotencyKey: text("idempotency_key"),
  paymentIntentId: text("payment_intent_id"),
  state: text("state").notNull(),
  txSignature: text("tx_signature"),
  receiptId: text("receipt_id"),
  error: text("error"),
  stripeState: text("stripe_state").notNull().default("none"),
  stripeReportedAt: integer("stripe_reported_at"),
  // Outbox lease: the reporter instance that claimed the row and until when (epoch ms).
  stripeLeaseOwner: text("stripe_lease_owner"),
  stripeLeaseUntil: integer("stripe_lease_until"),
  // The meter event that carries this row to Stripe: written before the event
  // is sent, never changed, so a resend after a crash is the same event
  // (identifier and value) and Stripe drops the repeat.
  stripeBatchId: text("stripe_batch_id"),
  // Why the row was flagged for the operator (too old for Stripe, refused by Stripe).
  stripeError: text("stripe_error"),
  createdAt: integer("created_at").notNull(),
  settledAt: integer("settled_at"),
  // The key's environment: "test" calls ran on the sandbox, moved no real
  // money, and are never billed (stripe_state "skipped").
  environment: text("environment").notNull().default("live"),
  // Decided once, when the call is reserved, from its key's environment and
  // tier at that moment: settlement (the call's own or the reconciler's, maybe
  // after a tier change) only reads it. Billable live rows settle "pending"
  // for the Stripe reporter, the others "skipped". Null: reserved by a release
  // before this column, which decided at settlement by the key's tier; a
  // settle keeps that rule for such rows (a rolling upgrade).
  billable: integer("billable", { mode: "boolean" }),
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

export const usagePeriods = sqliteTable("usage_periods", {
  keyId: text("key_id").notNull(),
  period: text("period").notNull(),
  ops: integer("ops").notNull().default(0),
  spendMicroUsd: integer("spend_micro_usd").notNull().default(0),
}, (t) => [primaryKey({ columns: [t.keyId, t.period] })])

// Settled calls per key, UTC day (of the call's start) and agent, kept in the
// transaction that settles each row: the developer's reads (this month by
// agent, per day) add up at most 31 rows per agent instead of scanning the
// month's usage rows. The money audit checks them against the rows.
export const usageAgentDays = sqliteTable("usage_agent_days", {
  keyId: text("key_id").notNull(),
  day: text("day").notNull(),
  agentId: text("agent_id").notNull(),
  userId: text("user_id").notNull(),
  agentName: text("agent_name").notNull(),
  calls: integer("calls").notNull().default(0),
  spendMicroUsd: integer("spend_micro_usd").notNull().default(0),
}, (t) => [primaryKey({ columns: [t.keyId, t.day, t.agentId] }), index("usage_agent_days_user_day_idx").on(t.userId, t.day)])

// A user's live settled calls in a period (by the call's start), and where
// their billing stands with Stripe: pending, reported or flagged. Kept by
// triggers on usage (migration 0011) in the statement that changes a row, so
// whatever path settles, reports or flags a row, the counters follow; the
// billing reads, the reconciliation and the monthly close read them instead
// of the month's rows, and the money audit checks them against the rows.
export const billingUsage = sqliteTable("billing_usage", {
  userId: text("user_id").notNull(),
  period: text("period").notNull(),
  settledOps: integer("settled_ops").notNull().default(0),
  settledMicroUsd: integer("settled_micro_usd").notNull().default(0),
  pendingRows: integer("pending_rows").notNull().default(0),
  pendingMicroUsd: integer("pending_micro_usd").notNull().default(0),
  reportedRows: integer("reported_rows").notNull().default(0),
  reportedMicroUsd: integer("reported_micro_usd").notNull().default(0),
  flaggedRows: integer("flagged_rows").notNull().default(0),
  flaggedMicroUsd: integer("flagged_micro_usd").notNull().default(0),
}, (t) => [
  primaryKey({ columns: [t.userId, t.period] }),
  // The usage reporter's work list: the users with rows waiting for Stripe.
  index("billing_usage_pending_idx").on(t.userId).where(sql`pending_rows > 0`),
])

export const billingPeriods = sqliteTable("billing_periods", {
  userId: text("user_id").notNull(),
  period: text("period").notNull(),
  ops: integer("ops").notNull().default(0),
  totalMicroUsd: integer("total_micro_usd").notNull().default(0),
  stripeInvoiceId: text("stripe_invoice_id"),
  stripeSubscriptionId: text("stripe_subscription_id"),
  status: text("status").notNull().default("pending"),
  closedAt: integer("closed_at"),
}, (t) => [primaryKey({ columns: [t.userId, t.period] })])

export const stripeEvents = sqliteTable("stripe_events", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  processedAt: integer("processed_at").notNull(),
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
export const stripeStateVersions = sqliteTable("stripe_state_versions", {
  subject: text("subject").primaryKey(),
  // Stripe's `created` of that event, Unix seconds.
  eventCreated: integer("event_created").notNull(),
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
export const stripeReportLeases = sqliteTable("stripe_report_leases", {
  userId: text("user_id").primaryKey(),
  owner: text("owner").notNull(),
  until: integer("until").notNull(),
  servedAt: integer("served_at").notNull().default(0),
})

export const stripeMeterErrorReports = sqliteTable("stripe_meter_error_reports", {
  eventId: text("event_id").primaryKey(),
  type: text("type").notNull(),
  meterId: text("meter_id"),
  errorCount: integer("error_count").notNull(),
  // Errors whose identifier is one of our usage rows.
  attributedCount: integer("attributed_count").notNull(),
  summary: text("summary").notNull(),
  // Stripe's validation window of the report, epoch ms.
  windowStart: integer("window_start").notNull(),
  windowEnd: integer("window_end").notNull(),
  receivedAt: integer("received_at").notNull(),
}, (t) => [index("stripe_meter_error_reports_window_idx").on(t.windowStart)])

// Developer webhooks (modules/webhooks): a user's endpoints, and one
// delivery row per event and endpoint, retried with backoff until delivered
// or given up (the outbox the delivery job drains).
export const webhookEndpoints = sqliteTable("webhook_endpoints", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull(),
  url: text("url").notNull(),
  secret: text("secret").notNull(),
  events: text("events").notNull(),
  createdAt: integer("created_at").notNull(),
  deletedAt: integer("deleted_at"),
}, (t) => [index("webhook_endpoints_user_idx").on(t.userId)])

export const webhookDeliveries = sqliteTable("webhook_deliveries", {
  id: text("id").primaryKey(),
  eventId: text("event_id").notNull(),
  endpointId: text("endpoint_id").notNull(),
  userId: text("user_id").notNull(),
  type: text("type").notNull(),
  payload: text("payload").notNull(),
  state: text("state").notNull(),
  attempts: integer("attempts").notNull().default(0),
  nextAttemptAt: integer("next_attempt_at").notNull(),
  lastStatus: integer("last_status"),
  lastError: text("last_error"),
  createdAt: integer("created_at").notNull(),
  deliveredAt: integer("delivered_at"),
}, (t) => [
  uniqueIndex("webhook_deliveries_event_endpoint_uq").on(t.eventId, t.endpointId),
  index("webhook_deliveries_due_idx").on(t.state, t.nextAttemptAt),
  index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.createdAt),
])

// Operator alerts (modules/alerts): one row per condition and subject, its
// state, and the state last delivered to the alert webhook (null: none yet).
export const alerts = sqliteTable("alerts", {
  id: text("id").primaryKey(),
  kind: text("kind").notNull(),
  subject: text("subject").notNull(),
  state: text("state").notNull(),
  detail: text("detail").notNull(),
  startedAt: integer("started_at").notNull(),
  clearedAt: integer("cleared_at"),
  notifiedState: text("notified_state"),
}, (t) => [index("alerts_kind_idx").on(t.kind, t.state)])

export const idempotency = sqliteTable("idempotency", {
  scope: text("scope").notNull(),
  key: text("key").notNull(),
  requestHash: text("request_hash").notNull(),
  state: text("state").notNull(),
  status: integer("status"),
  response: text("response"),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
}, (t) => [primaryKey({ columns: [t.scope, t.key] })])


// Rate limiter state for RATE_LIMIT_BACKEND=postgres; kept here so both
// schemas stay column-for-column equal (SQLite deployments use the in-memory limiter).
export const rateLimits = sqliteTable("rate_limits", {
  keyId: text("key_id").primaryKey(),
  tatUs: integer("tat_us").notNull(),
  lastAllowed: integer("last_allowed").notNull(),
})

export const concurrencyLeases = sqliteTable("concurrency_leases", {
  keyId: text("key_id").primaryKey(),
  leases: text("leases").notNull(),
  updatedAt: integer("updated_at").notNull(),
})

// Job leases on SQLite (platform/jobs/sqlite-lease.ts): the server and the
// CLI are separate processes on one file, so a job one of them runs (a refill,
// a rotation, a sweep) holds its name here until it ends or its lease lapses.
// Postgres uses session advisory locks instead.
export const jobLeases = sqliteTable("job_leases", {
  name: text("name").primaryKey(),
  holder: text("holder").notNull(),
  expiresAt: integer("expires_at").notNull(),
})

// The application Layer: every service the routes and jobs need, built once
// per process (or per test) into one ManagedRuntime.
import { Clock, Context, Duration, Effect, Layer, ManagedRuntime, Metric, References } from "effect"
import { FetchHttpClient } from "effect/http"
import { OtlpSerialization, OtlpTracer } from "effect/observability"
import { VERSION } from "../version"
import { PaymentLanes } from "../modules/gateway/payment-lanes"
import { AuthThrottle } from "../modules/auth/throttle"
import { DetachedCalls } from "../modules/gateway/detached-calls"
import { ApiKeys } from "../modules/keys/verifier"
import { builtInSandboxLayer } from "../modules/sandbox/as-network"
import { Sandbox } from "../modules/sandbox/service"
import type { Config } from "../platform/config/config"
import { AppConfig } from "../platform/config/service"
import { Database, type DatabaseHandle } from "../platform/db/database"
import { loggerLayer, resolveLogFormat, stdoutSink, type LogSink } from "../platform/logging/logger"
import { ConcurrencyLimiter } from "../modules/limits/concurrency"
import { RateLimiter } from "../modules/limits/rate-limiter"
import { LimitsBackend } from "../modules/limits/backend"
import { Networks } from "../modules/network/service"
import { Catalogue } from "../modules/catalogue/service"
import { Problems } from "../platform/http/problems-service"
import { appProblems } from "./error-map"
import { Keyring } from "../modules/pool/keyring"
import { Signer } from "../modules/pool/signer"
import { StripeClient } from "../modules/billing/stripe-client"
import { Store } from "../store/store"

export type AppLayerOptions = {
  /** Where log lines go (tests capture them). */
  readonly sink?: LogSink
  /** An already-open database, owned by the caller (tests share one per file). */
  readonly database?: DatabaseHandle
  /** A controllable clock (tests move time instead of sleeping). */
  readonly clock?: Clock.Clock
  /** Replaces the Stripe service built from config (tests). */
  readonly stripe?: Layer.Layer<StripeClient>
  /**
   * Where the sandbox keeps its ledger instead of beside the app's data
   * (benchmarks: the sandbox stands in for a remote marketplace, so its
   * writes must not count as the gateway's on the app's database).
   */
  readonly sandboxDatabase?: DatabaseHandle
}

const logLevels = { debug: "Debug", info: "Info", warn: "Warn", error: "Error" } as const

export const appLayer = (config: Config, options: AppLayerOptions = {}) => {
  const configLayer = AppConfig.layer(config)
  const database = options.database ? Database.fromHandle(options.database) : Database.layer.pipe(Layer.provide(configLayer))
  const store = Store.layer.pipe(Layer.provide(database))
  const minimumLevel = Layer.succeed(References.MinimumLogLevel, logLevels[config.logLevel])
  // A sink given (tests, benches) is read by programs: JSON lines, whatever the terminal.
  const format = options.sink ? "json" : resolveLogFormat(config.logFormat, process.stdout.isTTY === true)
  const logging = Layer.merge(loggerLayer(options.sink ?? stdoutSink, format, format === "pretty" && process.stdout.isTTY === true), minimumLevel)
  // Opened on every network: schema `sandbox` of the app's Postgres, or its own SQLite file. With the
  // app's logger, so a sandbox that cannot open says so through the redactor, like every line.
  const sandboxDatabase = options.sandboxDatabase ? Database.fromHandle(options.sandboxDatabase) : database
  const sandbox = Sandbox.layer.pipe(Layer.provide(Layer.mergeAll(configLayer, sandboxDatabase, logging)))
  const base = Layer.mergeAll(configLayer, store)
  const services = Layer.mergeAll(ApiKeys.layer, PaymentLanes.layer).pipe(Layer.provide(base))
  // The keyring logs a warning when it generates the sandbox key, so it is built with the logger.
  const keyring = Keyring.layer.pipe(Layer.provide(Layer.merge(configLayer, logging)))
  const signer = Signer.layer.pipe(Layer.provide(Layer.mergeAll(configLayer, store, keyring)))
  const stripe = options.stripe ?? StripeClient.layer.pipe(Layer.provide(configLayer))
  // Memory, Postgres (the app's database) or Redis, by RATE_LIMIT_BACKEND.
  const limitsBackend = LimitsBackend.layer.pipe(Layer.provide(Layer.mergeAll(configLayer, database)))
  // Sign-up and login throttling count on the same store, so instances share them.
  const limits = Layer.mergeAll(RateLimiter.layer, ConcurrencyLimiter.layer, AuthThrottle.layer).pipe(Layer.provide(Layer.mergeAll(limitsBackend, configLayer)))
  const clock = options.clock ? Layer.succeed(Clock.Clock, options.clock) : Layer.empty
  // The merged problem map, for code below the app that renders failures.
  const problems = Layer.succeed(Problems, appProblems)
  // The sandbox behind the port production modules use; its in-process
  // programs run with the logger and clock given here.
  const builtInSandbox = builtInSandboxLayer.pipe(Layer.provide(Layer.mergeAll(sandbox, logging, clock)))
  // The live network from config; test keys' network is the sandbox.
  const networks = Networks.layer.pipe(Layer.provide(Layer.merge(configLayer, builtInSandbox)))
  // Spans to an OpenTelemetry collector when one is configured; Effect's own no-op tracer otherwise.
  const tracing = config.otlpEndpoint
    ? OtlpTracer.layer({
        url: `${config.otlpEndpoint.replace(/\/+$/, "")}/v1/traces`,
        resource: { serviceName: config.otelServiceName, serviceVersion: VERSION },
        exportInterval: Duration.millis(config.otelExportDelayMs),
      }).pipe(Layer.provide(Layer.merge(OtlpSerialization.layerJson, FetchHttpClient.layer)))
    : Layer.empty
  // Each runtime counts into its own registry (several apps share a test process).
  const metrics = Layer.sync(Metric.MetricRegistry, () => new Map())
  const catalogue = Catalogue.layer.pipe(Layer.provide(Layer.merge(configLayer, networks)))
  // limitsBackend is the same Layer value the limiters use, so it is built once (one Redis connection).
  return Layer.mergeAll(configLayer, database, store, services, limits, limitsBackend, networks, catalogue, metrics, tracing, sandbox, builtInSandbox, problems, keyring, signer, stripe, logging, clock, DetachedCalls.layer)
}

export type AppServices = Layer.Success<ReturnType<typeof appLayer>>

export const makeRuntime = (config: Config, options: AppLayerOptions = {}) => ManagedRuntime.make(appLayer(config, options))

export type AppRuntime = ReturnType<typeof makeRuntime>

/** What the HTTP app and the schedulers need of a runtime: run an Effect with the app's services. */
export type AppRunner = Pick<AppRuntime, "runPromiseExit" | "runPromise" | "runSync">

/**
 * A runner over services already built (inside a Layer): the same calls a
 * ManagedRuntime answers, without owning the services' lifetime.
 */
export const runnerOf = (services: Context.Context<AppServices>): AppRunner =>
  ({
    runPromiseExit: Effect.runPromiseExitWith(services),
    runPromise: Effect.runPromiseWith(services),
    runSync: Effect.runSyncWith(services),
  }) as unknown as AppRunner

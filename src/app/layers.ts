// The application Layer: every service the routes and jobs need, built once
// per process (or per test) into one ManagedRuntime.
import { Layer, ManagedRuntime, References } from "effect"
import type { Config } from "../platform/config/config"
import { AppConfig } from "../platform/config/service"
import { Database, type DatabaseHandle } from "../platform/db/database"
import { loggerLayer, stdoutSink, type LogSink } from "../platform/logging/logger"
import { StripeClient } from "../modules/billing/stripe-client"
import { Store } from "../store/store"

export type AppLayerOptions = {
  /** Where log lines go (tests capture them). */
  readonly sink?: LogSink
  /** An already-open database, owned by the caller (tests share one per file). */
  readonly database?: DatabaseHandle
  /** Replaces the Stripe service built from config (tests). */
  readonly stripe?: Layer.Layer<StripeClient>
}

const logLevels = { debug: "Debug", info: "Info", warn: "Warn", error: "Error" } as const

export const appLayer = (config: Config, options: AppLayerOptions = {}) => {
  const configLayer = AppConfig.layer(config)
  const database = options.database ? Database.fromHandle(options.database) : Database.layer.pipe(Layer.provide(configLayer))
  const store = Store.layer.pipe(Layer.provide(database))
  const minimumLevel = Layer.succeed(References.MinimumLogLevel, logLevels[config.logLevel])
  const stripe = options.stripe ?? StripeClient.layer.pipe(Layer.provide(configLayer))
  return Layer.mergeAll(configLayer, database, store, stripe, loggerLayer(options.sink ?? stdoutSink), minimumLevel)
}

export type AppServices = Layer.Success<ReturnType<typeof appLayer>>

export const makeRuntime = (config: Config, options: AppLayerOptions = {}) => ManagedRuntime.make(appLayer(config, options))

export type AppRuntime = ReturnType<typeof makeRuntime>

import { Context, Layer } from "effect"
import type { Config } from "./config"

export class AppConfig extends Context.Service<AppConfig, Config>()("tdk/AppConfig") {
  static readonly layer = (config: Config) => Layer.succeed(AppConfig, config)
}

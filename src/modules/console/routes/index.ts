// /console (developers) and /console/admin (operators, only with ADMIN_TOKEN).
import { Elysia } from "elysia"
import type { Config } from "../../../platform/config/config"
import type { InternalApi } from "../internal-api"
import { adminConsole } from "./admin"
import { consoleAssets } from "./assets"
import { developerConsole } from "./developer"

export const consoleRoutes = (api: InternalApi, config: Config) =>
  new Elysia()
    .use(consoleAssets())
    .use(developerConsole(api, config))
    .use(config.adminToken === undefined ? new Elysia() : adminConsole(api, config, config.adminToken))

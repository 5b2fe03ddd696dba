// The usage routes, mounted together.
import { Elysia } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { currentUsageRoute } from "./current-usage"
import { usageHistoryRoute } from "./usage-history"

export const usageRoutes = (respond: Respond) => new Elysia().use(currentUsageRoute(respond)).use(usageHistoryRoute(respond))

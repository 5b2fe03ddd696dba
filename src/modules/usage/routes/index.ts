// The usage routes, mounted together.
import { Elysia } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { currentUsageRoute } from "./current-usage"
import { requestUsageRoute } from "./request-usage"
import { usageDailyRoute } from "./usage-daily"
import { usageHistoryRoute } from "./usage-history"

export const usageRoutes = (respond: Respond) => new Elysia().use(currentUsageRoute(respond)).use(usageHistoryRoute(respond)).use(usageDailyRoute(respond)).use(requestUsageRoute(respond))

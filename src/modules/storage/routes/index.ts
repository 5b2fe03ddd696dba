// The typed storage routes, mounted together.
import { Elysia } from "elysia"
import type { Respond } from "../../../platform/http/respond"
import { answersAskRoute } from "./answers-ask"
import { answersForgetRoute } from "./answers-forget"
import { answersTeachRoute } from "./answers-teach"
import { answersUpdateRoute } from "./answers-update"
import { memoryDeleteRoute } from "./memory-delete"
import { memoryGetRoute } from "./memory-get"
import { memoryListRoute } from "./memory-list"
import { memorySetRoute } from "./memory-set"

export const storageRoutes = (respond: Respond) =>
  new Elysia()
    .use(memorySetRoute(respond))
    .use(memoryGetRoute(respond))
    .use(memoryListRoute(respond))
    .use(memoryDeleteRoute(respond))
    .use(answersTeachRoute(respond))
    .use(answersAskRoute(respond))
    .use(answersUpdateRoute(respond))
    .use(answersForgetRoute(respond))

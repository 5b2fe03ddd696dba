import { Elysia, t } from "elysia"
import { security } from "../../../platform/http/security"

export const Healthz = t.Object({ status: t.Literal("ok", { description: "The process is alive" }) })

/** Liveness: answers while the process runs, touching nothing else. */
export const healthz = () =>
  new Elysia().get("/healthz", () => ({ status: "ok" as const }), {
    response: { 200: Healthz },
    detail: { security: security.none, operationId: "healthz", tags: ["health"], summary: "Liveness probe" },
  })

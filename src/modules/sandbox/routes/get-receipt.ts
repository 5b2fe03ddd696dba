import { Elysia, t } from "elysia"
import type { EnvelopeRespond } from "../envelope"
import { ErrorEnvelope, ReceiptSchema } from "../model"
import { Sandbox } from "../service"
import { security } from "../../../platform/http/security"

export const GetReceipt = t.Object({ ok: t.Literal(true, { description: "Success" }), receipt: ReceiptSchema })

export const getReceipt = (respond: EnvelopeRespond) =>
  new Elysia().get(
    "/tetto/api/receipts/:id",
    ({ request, params }) => respond(request, Sandbox.use((s) => s.receipt(params.id))),
    {
      params: t.Object({ id: t.String({ description: "Receipt id (UUID)" }) }),
      response: { 200: GetReceipt, 404: ErrorEnvelope },
      detail: { security: security.none, operationId: "sandboxGetReceipt", tags: ["sandbox"], summary: "Sandbox marketplace: a settled call's receipt" },
    },
  )

import { Elysia, t } from "elysia"
import type { EnvelopeRespond } from "../envelope"
import { Sandbox } from "../service"
import { security } from "../../../platform/http/security"

const RpcReply = t.Object({
  jsonrpc: t.Literal("2.0", { description: "Protocol version" }),
  id: t.Union([t.String(), t.Number(), t.Null()], { description: "Id of the request answered" }),
  result: t.Optional(t.Unknown({ description: "Method result" })),
  error: t.Optional(t.Object({ code: t.Integer({ description: "JSON-RPC error code" }), message: t.String({ description: "Error text" }) })),
})

export const solanaRpc = (respond: EnvelopeRespond) =>
  new Elysia().post(
    "/solana",
    ({ request, body }) => respond(request, Sandbox.use((s) => s.rpc(body))),
    {
      parse: "json",
      body: t.Unknown({ description: "A JSON-RPC 2.0 request or batch" }),
      response: { 200: t.Union([RpcReply, t.Array(RpcReply)]) },
      detail: {
        security: security.none,
        operationId: "sandboxSolanaRpc",
        tags: ["sandbox"],
        summary: "Sandbox ledger: Solana JSON-RPC (getBalance, getAccountInfo, getTokenAccountBalance, getTokenAccountsByOwner, getLatestBlockhash, getSignatureStatuses, requestAirdrop, …)",
      },
    },
  )

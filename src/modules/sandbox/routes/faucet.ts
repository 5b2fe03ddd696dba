import { Elysia, t } from "elysia"
import type { EnvelopeRespond } from "../envelope"
import { ErrorEnvelope } from "../model"
import { FAUCET_MAX_LAMPORTS, FAUCET_MAX_USDC, Sandbox } from "../service"
import { security } from "../../../platform/http/security"

export const FaucetBody = t.Object({
  wallet: t.String({ maxLength: 64, description: "Base58 public key to fund" }),
  usdc: t.Optional(t.Integer({ minimum: 0, maximum: FAUCET_MAX_USDC, description: "Sandbox USDC, base units (1 USDC = 1000000)" })),
  sol: t.Optional(t.Integer({ minimum: 0, maximum: FAUCET_MAX_LAMPORTS, description: "Lamports (1 SOL = 1000000000)" })),
})

export const Faucet = t.Object({
  ok: t.Literal(true, { description: "Funded" }),
  wallet: t.String({ description: "The funded wallet" }),
  usdc_account: t.String({ description: "The wallet's sandbox-USDC associated token account" }),
  usdc_balance: t.Integer({ description: "USDC balance after funding, base units" }),
  sol_balance: t.Integer({ description: "SOL balance after funding, lamports" }),
  signature: t.String({ description: "Signature recorded for the funding" }),
})

export const faucet = (respond: EnvelopeRespond) =>
  new Elysia().post(
    "/faucet",
    ({ request, body }) => respond(request, Sandbox.use((s) => s.faucet(body))),
    {
      parse: "json",
      body: FaucetBody,
      response: { 200: Faucet, 400: ErrorEnvelope },
      detail: { security: security.none, operationId: "sandboxFaucet", tags: ["sandbox"], summary: "Sandbox ledger: fund a wallet with sandbox USDC and SOL" },
    },
  )

// The sandbox network as one Elysia plugin under /sandbox: the marketplace at
// /sandbox/tetto, the ledger's JSON-RPC at /sandbox/solana, the faucet and the
// test hook. Mounted on the server only when TETTO_NETWORK=sandbox; on every
// network it also serves test keys in process (in-process.ts).
import { Elysia } from "elysia"
import { makeEnvelopeRespond, type SandboxRunner } from "./envelope"
import { buildTransaction } from "./routes/build-transaction"
import { callAgent } from "./routes/submit-call"
import { faucet } from "./routes/faucet"
import { getAgent } from "./routes/get-agent"
import { getReceipt } from "./routes/get-receipt"
import { listAgents } from "./routes/list-agents"
import { setAgentBehaviour } from "./routes/set-agent-behaviour"
import { solanaRpc } from "./routes/solana-rpc"

export { sandboxEdgeError, type SandboxRunner } from "./envelope"

/** The ledger's JSON-RPC endpoint: the one path whose body may be any JSON value (a batch is an array). */
export const SANDBOX_JSON_RPC_PATH = "/sandbox/solana"

export const sandboxRoutes = (run: SandboxRunner) => {
  const respond = makeEnvelopeRespond(run)
  return new Elysia({ prefix: "/sandbox" })
    .use(listAgents(respond))
    .use(callAgent(respond))
    .use(getAgent(respond))
    .use(buildTransaction(respond))
    .use(getReceipt(respond))
    .use(solanaRpc(respond))
    .use(faucet(respond))
    .use(setAgentBehaviour(respond))
}

// The sandbox as the product sees it: its agents, addresses, in-process
// transport and faucet behind the BuiltInSandbox port (network module), built
// from the Sandbox service and the services this layer is built with (the
// clock and logger its in-process programs run on).
import { Effect, Layer } from "effect"
import { BuiltInSandbox } from "../network/built-in-sandbox"
import { sampleAgents } from "./agents/catalog"
import { warmAnswers } from "./agents/warm-answers"
import { warmMemory } from "./agents/warm-memory"
import { sandboxProtocolFeeWallet, sandboxUsdcMint } from "./identities"
import { inProcessSandbox } from "./in-process"
import { FAUCET_MAX_LAMPORTS, FAUCET_MAX_USDC, Sandbox } from "./service"

// Both `warm-memory` and `warmmemory` name the same agent.
const aliases = Object.fromEntries(sampleAgents.flatMap((a) => [[a.slug, a.id], [a.slug.replaceAll("-", ""), a.id]]))

export const builtInSandboxLayer = Layer.effect(
  BuiltInSandbox,
  Effect.gen(function* () {
    const sandbox = yield* Sandbox
    const services = yield* Effect.context<Sandbox>()
    return {
      agents: { aliases, memoryAgentId: warmMemory.id, answersAgentId: warmAnswers.id },
      addresses: { usdcMint: sandboxUsdcMint.toBase58(), protocolFeeWallet: sandboxProtocolFeeWallet.toBase58() },
      inProcess: inProcessSandbox(Effect.runPromiseExitWith(services)),
      faucetCeiling: { usdc: FAUCET_MAX_USDC, lamports: FAUCET_MAX_LAMPORTS },
      // The faucet refuses only malformed requests: a refusal here is a defect.
      fund: (wallet, amounts) =>
        sandbox.faucet({ wallet, usdc: Math.min(amounts.usdc, FAUCET_MAX_USDC), sol: Math.min(amounts.lamports, FAUCET_MAX_LAMPORTS) }).pipe(Effect.orDie, Effect.asVoid),
    }
  }),
)

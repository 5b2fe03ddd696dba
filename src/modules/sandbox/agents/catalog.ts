// The sandbox marketplace's agents, in listing order.
import { factChecker, echoSol, privateResearch, summarizer, titleGenerator } from "./text"
import type { SampleAgent } from "./types"
import { walletInspector } from "./wallet-inspector"
import { warmAnswers } from "./warm-answers"
import { warmMemory } from "./warm-memory"

export const sampleAgents: ReadonlyArray<SampleAgent> = [warmMemory, warmAnswers, titleGenerator, summarizer, factChecker, walletInspector, echoSol, privateResearch]

export const agentById = (id: string): SampleAgent | undefined => sampleAgents.find((a) => a.id === id)

/** Protocol fee of every sandbox agent, basis points (10%). */
export const SANDBOX_FEE_BPS = 1000

/** Fixed listing date so responses are reproducible. */
export const SANDBOX_AGENTS_CREATED_AT = "2025-01-01T00:00:00.000Z"

// The problem documents of this module's errors. Solana RPC reads.
// The map is keyed by every tag of the union, so an error without one does not compile.
import type { ProblemMap } from "../../platform/http/problem"
import type { ChainUnavailable } from "./errors"

export const chainProblems: ProblemMap<ChainUnavailable> = {
  ChainUnavailable: {
    status: 503,
    code: "chain_unavailable",
    title: "Solana RPC unavailable",
    detail: (e) => `The Solana RPC did not answer ${e.operation}: ${e.reason}. Retry shortly.`,
    headers: () => ({ "retry-after": "10" }),
  },
}

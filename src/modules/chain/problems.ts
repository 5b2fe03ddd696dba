// The problem documents of this module's errors. Solana RPC reads.
// The map is keyed by every tag of the union, so an error without one does not compile.
import { problem, type ProblemMap } from "../../platform/http/problem"
import type { ChainUnavailable, TransactionRefused } from "./errors"

export const chainProblems: ProblemMap<ChainUnavailable | TransactionRefused> = {
  TransactionRefused: problem(502, "transaction_refused", "Transaction refused by the chain", (e) => `The Solana node refused the transaction: ${e.reason}. Nothing was sent.`),
  ChainUnavailable: problem(503, "chain_unavailable", "Solana RPC unavailable", (e) => `The Solana RPC did not answer ${e.operation}: ${e.reason}. Retry shortly.`, { headers: () => ({ "retry-after": "10" }) }),
}

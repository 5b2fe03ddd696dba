// Where the sandbox answers when served in process (in-process.ts): an origin
// that names no host and is never resolved.
const IN_PROCESS_ORIGIN = "http://sandbox.in-process"
export const IN_PROCESS_MARKETPLACE_URL = `${IN_PROCESS_ORIGIN}/sandbox/tetto`
export const IN_PROCESS_RPC_URL = `${IN_PROCESS_ORIGIN}/sandbox/solana`

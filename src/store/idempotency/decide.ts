import type { Claim } from "./repo"

type Existing = { readonly requestHash: string; readonly state: string; readonly status: number | null; readonly response: string | null }

/** What an existing, unexpired record means for a new request with `requestHash`. */
export const decide = (row: Existing, requestHash: string): Claim => {
  if (row.requestHash !== requestHash) return { kind: "mismatch" }
  if (row.state === "done" && row.status !== null && row.response !== null) return { kind: "replay", status: row.status, response: row.response }
  return { kind: "in_flight" }
}

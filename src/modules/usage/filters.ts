// History filters from the query string, checked before any query runs:
// ISO times, a known agent (UUID or alias), a usage id as the cursor.
import { invalidQuery, type InvalidInput, type FieldProblem } from "../../platform/http/errors"
import { isId } from "../../platform/ids"

export const DEFAULT_LIMIT = 50
export const MAX_LIMIT = 200

export type HistoryParams = {
  readonly from?: string | undefined
  readonly to?: string | undefined
  readonly agent?: string | undefined
  /** As sent in the query string. */
  readonly limit?: string | undefined
  readonly before?: string | undefined
}

export type HistoryFilters = {
  readonly from: number | undefined
  readonly to: number | undefined
  readonly agentId: string | undefined
  readonly limit: number
  readonly before: string | undefined
}

// Date and time with a zone (Z or ±hh:mm), or a bare date (midnight UTC).
const isoShape = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/

const parseTime = (value: string): number | undefined => (isoShape.test(value) ? (Number.isFinite(Date.parse(value)) ? Date.parse(value) : undefined) : undefined)

/** The filters, or an InvalidInput naming every bad one. */
/** `resolveAgent` maps a UUID or alias to an agent id (undefined when unknown). */
export const parseHistoryFilters = (params: HistoryParams, resolveAgent: (ref: string) => string | undefined): HistoryFilters | InvalidInput => {
  const errors: Array<FieldProblem> = []
  const time = (field: "from" | "to") => {
    const raw = params[field]
    if (raw === undefined) return undefined
    const ms = parseTime(raw)
    if (ms === undefined) errors.push({ field, message: "must be an ISO 8601 time such as 2026-01-31T00:00:00Z" })
    return ms
  }
  const from = time("from")
  const to = time("to")
  if (from !== undefined && to !== undefined && from >= to) errors.push({ field: "to", message: "must be after from" })
  let agentId: string | undefined
  if (params.agent !== undefined) {
    agentId = resolveAgent(params.agent)
    if (agentId === undefined) errors.push({ field: "agent", message: "is neither an agent UUID nor a known alias" })
  }
  const limit = params.limit === undefined ? DEFAULT_LIMIT : /^\d{1,4}$/.test(params.limit) ? Number(params.limit) : Number.NaN
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) errors.push({ field: "limit", message: `must be an integer from 1 to ${MAX_LIMIT}` })
  if (params.before !== undefined && !isId("use", params.before)) errors.push({ field: "before", message: "must be the `next` value of a previous page (a use_… id)" })
  if (errors.length > 0) return invalidQuery(errors)
  return { from, to, agentId, limit, before: params.before }
}

// Typed failures become HTTP here, from the maps each module keeps beside its
// errors (modules/<m>/problems.ts, platform/http/problems.ts). AppError is the
// union of the modules' failures and the merged map is keyed by every one of
// its tags, so an error added to a module without a problem does not compile,
// and adding one touches that module only.
import { renderProblem, type ProblemBody, type ProblemMap, type ProblemSpec } from "../platform/http/problem"
import type { ProblemsShape } from "../platform/http/problems-service"
import { platformProblems, type PlatformFailure } from "../platform/http/problems"
import { adminProblems, type AdminFailure } from "../modules/admin/problems"
import { authProblems, type AuthFailure } from "../modules/auth/problems"
import { billingProblems, type BillingFailure } from "../modules/billing/problems"
import { catalogueProblems, type CatalogueFailure } from "../modules/catalogue/problems"
import { observabilityProblems, type ObservabilityFailure } from "../modules/observability/problems"
import { webhooksProblems, type WebhooksFailure } from "../modules/webhooks/problems"
import { chainProblems } from "../modules/chain/problems"
import type { ChainUnavailable } from "../modules/chain/errors"
import { gatewayProblems, type GatewayFailure } from "../modules/gateway/problems"
import { keysProblems, type KeysFailure } from "../modules/keys/problems"
import { limitsProblems, type LimitsFailure } from "../modules/limits/problems"
import { marketplaceProblems } from "../modules/marketplace/problems"
import type { MarketplaceError } from "../modules/marketplace/errors"
import { poolProblems, type PoolFailure } from "../modules/pool/problems"
import { storageProblems } from "../modules/storage/problems"
import type { StorageAgentNotConfigured } from "../modules/storage/errors"
import { usageProblems, type UsageFailure } from "../modules/usage/problems"

export type AppError =
  | PlatformFailure
  | KeysFailure
  | AuthFailure
  | AdminFailure
  | MarketplaceError
  | ChainUnavailable
  | PoolFailure
  | GatewayFailure
  | StorageAgentNotConfigured
  | BillingFailure
  | LimitsFailure
  | UsageFailure
  | CatalogueFailure
  | ObservabilityFailure
  | WebhooksFailure

export const errorMap: ProblemMap<AppError> = {
  ...platformProblems,
  ...keysProblems,
  ...authProblems,
  ...adminProblems,
  ...marketplaceProblems,
  ...chainProblems,
  ...poolProblems,
  ...gatewayProblems,
  ...storageProblems,
  ...billingProblems,
  ...limitsProblems,
  ...usageProblems,
  ...catalogueProblems,
  ...observabilityProblems,
  ...webhooksProblems,
}

export const isAppError = (e: unknown): e is AppError =>
  typeof e === "object" && e !== null && "_tag" in e && typeof (e as { _tag: unknown })._tag === "string" && (e as { _tag: string })._tag in errorMap

export const toProblem = (e: AppError, requestId: string): { body: ProblemBody; headers: Record<string, string> } =>
  renderProblem(errorMap[e._tag] as ProblemSpec<AppError>, e, requestId)

/** The merged map as the Problems service, for code below the app. */
export const appProblems: ProblemsShape = {
  render: (e, requestId) => (isAppError(e) ? toProblem(e, requestId) : undefined),
  statusOf: (tag) => (Object.hasOwn(errorMap, tag) ? errorMap[tag as AppError["_tag"]].status : undefined),
}

import { problem, type ProblemMap } from "../../platform/http/problem"
import type { WebhookEndpointLimit, WebhookEndpointNotFound } from "./errors"

export type WebhooksFailure = WebhookEndpointNotFound | WebhookEndpointLimit

export const webhooksProblems: ProblemMap<WebhooksFailure> = {
  WebhookEndpointNotFound: problem(404, "webhook_endpoint_not_found", "Webhook endpoint not found", (e) => `You have no webhook endpoint ${e.endpointId.slice(0, 64)}.`),
  WebhookEndpointLimit: problem(409, "webhook_endpoint_limit", "Too many webhook endpoints", (e) => `An account has at most ${e.limit} webhook endpoints; delete one first.`),
}

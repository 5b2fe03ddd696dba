import { Data } from "effect"

/** No endpoint of the signed-in user has this id. */
export class WebhookEndpointNotFound extends Data.TaggedError("WebhookEndpointNotFound")<{ readonly endpointId: string }> {}

/** The user already has the most endpoints allowed. */
export class WebhookEndpointLimit extends Data.TaggedError("WebhookEndpointLimit")<{ readonly limit: number }> {}

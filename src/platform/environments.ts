// Keys, calls and wallet pools are live (the configured network) or test (the
// built-in sandbox): one list, and one schema for the routes that name it.
import { t } from "elysia"

export const ENVIRONMENTS = ["live", "test"] as const
export type Environment = (typeof ENVIRONMENTS)[number]

/** The environment a text names, or undefined when it names none. */
export const parseEnvironment = (text: string): Environment | undefined => ENVIRONMENTS.find((e) => e === text)

/** An environment as a route's schema declares it (an enum in OpenAPI). */
export const environmentSchema = (description?: string) => t.Union([t.Literal("live"), t.Literal("test")], description === undefined ? {} : { description })

// What a route's program may fail with and require: the app's error union and
// services, given to platform/http/respond.ts by declaration merging so route
// files import nothing from the app.
import type { AppError } from "./error-map"
import type { AppServices } from "./layers"

declare module "../platform/http/respond" {
  interface RouteTypes {
    readonly error: AppError
    readonly services: AppServices
  }
}

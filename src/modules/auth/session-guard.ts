// Routes of signed-in users run their program for the session's user.
import { Effect } from "effect"
import type { UserRow } from "../../store/users/repo"
import { requireSession } from "./service"

export const asSignedIn = <A, E, R>(request: Request, program: (user: UserRow) => Effect.Effect<A, E, R>) =>
  requireSession(request.headers.get("authorization"), request.headers.get("cookie")).pipe(Effect.flatMap(program))

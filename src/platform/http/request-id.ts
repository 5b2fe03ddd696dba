// X-Request-Id: accepted from the caller when it is a sane token, generated
// otherwise, echoed on every response and carried by every log line.
import { newId } from "../ids"

const acceptable = /^[A-Za-z0-9._:-]{1,128}$/

const ids = new WeakMap<Request, string>()

export const requestIdOf = (request: Request): string => {
  let id = ids.get(request)
  if (id === undefined) {
    const given = request.headers.get("x-request-id")
    id = given !== null && acceptable.test(given) ? given : newId("req")
    ids.set(request, id)
  }
  return id
}

// The listening socket. Bodies are capped by the app itself (a declared
// length over BODY_LIMIT_BYTES is refused unread, a chunked body is read only
// up to it), which answers with a problem document; Bun's own cap is set far
// above so that it only ever stops absurd uploads, with a bare 413.
import type { Config } from "../platform/config/config"
import { routable } from "../platform/http/request-url"
import { rememberPeer } from "../modules/auth/client-address"

export const BUN_BODY_CAP_FACTOR = 16

export const listen = (config: Config, handle: (request: Request) => Response | Promise<Response>, port: number = config.port) =>
  Bun.serve({
    port,
    hostname: config.host,
    maxRequestBodySize: config.bodyLimitBytes * BUN_BODY_CAP_FACTOR,
    // The app sees only the Request: the socket's address is recorded for the
    // one it gets (sign-up and login throttling without TRUST_PROXY).
    fetch: (request, server) => {
      const routed = routable(request)
      rememberPeer(routed, server.requestIP(request)?.address)
      return handle(routed)
    },
  })

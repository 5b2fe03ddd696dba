import type { Server } from "bun"

/** The caller's address for login throttling; X-Forwarded-For only when the proxy is trusted. */
export const clientAddress = (request: Request, server: Server<unknown> | null | undefined, trustProxy: boolean): string => {
  if (trustProxy) {
    const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim()
    if (forwarded) return forwarded.slice(0, 64)
  }
  return server?.requestIP(request)?.address ?? "unknown"
}

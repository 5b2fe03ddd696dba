// GET /docs (the reference page) and its assets; the document itself is
// /docs/json (the OpenAPI plugin, app.ts). Hidden from the document.
import { Elysia, t } from "elysia"
import { RouteNotFound } from "../../../platform/http/errors"
import { urlOf } from "../../../platform/http/request-url"
import { assetResponse, assetUrl, swaggerUiVersion } from "../assets"
import { docsCsp, docsPage } from "../page"

export const docsRoutes = () =>
  new Elysia()
    .get(
      "/docs",
      () =>
        new Response(docsPage("TDK Core", assetUrl), {
          headers: {
            "content-type": "text/html; charset=utf-8",
            "content-security-policy": docsCsp,
            "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer",
            "cache-control": "no-cache",
          },
        }),
      { detail: { hide: true } },
    )
    .get(
      "/docs/assets/:version/:name",
      async ({ params, request }) => {
        const found = params.version === swaggerUiVersion ? await assetResponse(params.name, request.headers.get("accept-encoding")) : undefined
        if (!found) throw new RouteNotFound({ method: "GET", path: urlOf(request).pathname })
        return found
      },
      { params: t.Object({ version: t.String(), name: t.String() }), detail: { hide: true } },
    )

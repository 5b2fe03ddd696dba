// The console's one stylesheet and one script, embedded in the binary and
// served under the release's version, so browsers may keep them for a year.
import { Elysia, t } from "elysia"
import css from "../assets/console.css" with { type: "text" }
import js from "../assets/console.js" with { type: "text" }
import { VERSION } from "../../../version"
import { RouteNotFound } from "../../../platform/http/errors"
import { urlOf } from "../../../platform/http/request-url"
import { generatedCss } from "../chart"

const files: Readonly<Record<string, { readonly type: string; readonly body: string }>> = {
  "console.css": { type: "text/css; charset=utf-8", body: `${css}\n${generatedCss()}\n` },
  "console.js": { type: "text/javascript; charset=utf-8", body: js },
}

export const consoleAssets = () =>
  new Elysia().get(
    "/console/assets/:version/:name",
    ({ params, request }) => {
      const file = params.version === VERSION && Object.hasOwn(files, params.name) ? files[params.name] : undefined
      if (!file) throw new RouteNotFound({ method: "GET", path: urlOf(request).pathname })
      return new Response(file.body, { headers: { "content-type": file.type, "cache-control": "public, max-age=31536000, immutable", "x-content-type-options": "nosniff" } })
    },
    { params: t.Object({ version: t.String(), name: t.String() }), detail: { hide: true } },
  )

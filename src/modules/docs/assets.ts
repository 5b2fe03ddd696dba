// The API reference's browser code, pinned by the lockfile and embedded in
// the binary (`with { type: "file" }`): /docs needs no CDN and works on a
// host with no network. Served under a versioned path, so a browser may keep
// it for a year; gzipped once, on first request, for clients that accept it.
import bundlePath from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" }
import cssPath from "swagger-ui-dist/swagger-ui.css" with { type: "file" }
import { version as swaggerUiVersion } from "swagger-ui-dist/package.json"
import { initScript } from "./page"

export { swaggerUiVersion }

type Asset = { readonly type: string; readonly bytes: () => Promise<Uint8Array<ArrayBuffer>> }

const fromFile = (path: string) => async () => new Uint8Array(await Bun.file(path).arrayBuffer())

export const assets: Readonly<Record<string, Asset>> = {
  "swagger-ui-bundle.js": { type: "text/javascript; charset=utf-8", bytes: fromFile(bundlePath) },
  "swagger-ui.css": { type: "text/css; charset=utf-8", bytes: fromFile(cssPath) },
  "init.js": { type: "text/javascript; charset=utf-8", bytes: async () => new TextEncoder().encode(initScript) },
}

/** Where the page finds an asset of this release. */
export const assetUrl = (name: keyof typeof assets & string) => `/docs/assets/${swaggerUiVersion}/${name}`

const cache = new Map<string, { plain: Uint8Array<ArrayBuffer>; gzipped: Uint8Array<ArrayBuffer> }>()

/** The asset's bytes, gzipped when the client takes gzip; undefined for an unknown name. */
export const assetResponse = async (name: string, acceptEncoding: string | null): Promise<Response | undefined> => {
  const asset = Object.hasOwn(assets, name) ? assets[name] : undefined
  if (!asset) return undefined
  let entry = cache.get(name)
  if (!entry) {
    const plain = await asset.bytes()
    entry = { plain, gzipped: Bun.gzipSync(plain) }
    cache.set(name, entry)
  }
  const gzip = /\bgzip\b/.test(acceptEncoding ?? "")
  return new Response(gzip ? entry.gzipped : entry.plain, {
    headers: {
      "content-type": asset.type,
      "cache-control": "public, max-age=31536000, immutable",
      "x-content-type-options": "nosniff",
      vary: "accept-encoding",
      ...(gzip ? { "content-encoding": "gzip" } : {}),
    },
  })
}

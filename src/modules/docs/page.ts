// The /docs page: Swagger UI over /docs/json, with no inline script (the
// start-up code is a file of its own, so the Content-Security-Policy needs
// no 'unsafe-inline' for scripts) and nothing loaded from another host.

/** Starts Swagger UI; `validatorUrl: null` keeps it from sending the document to swagger.io. */
export const initScript = `window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/docs/json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    persistAuthorization: false,
    tryItOutEnabled: false,
    displayRequestDuration: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  })
})
`

/** Swagger UI styles some elements inline; images are its own data: URIs. */
export const docsCsp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ")

export const docsPage = (title: string, asset: (name: "swagger-ui.css" | "swagger-ui-bundle.js" | "init.js") => string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} API reference</title>
<link rel="stylesheet" href="${asset("swagger-ui.css")}">
</head>
<body>
<main id="swagger-ui" aria-label="API reference"></main>
<script src="${asset("swagger-ui-bundle.js")}"></script>
<script src="${asset("init.js")}"></script>
</body>
</html>
`

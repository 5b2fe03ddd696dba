// The request's URL. A request without a Host header (HTTP/1.0 allows it)
// reaches the server with a bare path as its url, which `new URL` refuses;
// it is resolved against a placeholder origin instead, so reading a path or
// a scheme can never throw.
const PLACEHOLDER_ORIGIN = "http://host.invalid"

export const urlOf = (request: Request): URL => URL.parse(request.url) ?? URL.parse(request.url, PLACEHOLDER_ORIGIN) ?? new URL(`${PLACEHOLDER_ORIGIN}/`)

// SQL migration files are imported as text so the compiled binary embeds them.
declare module "*.sql" {
  const content: string
  export default content
}

// The API reference's browser files, embedded with `with { type: "file" }`: a path to read.
declare module "swagger-ui-dist/swagger-ui-bundle.js" {
  const path: string
  export default path
}
declare module "swagger-ui-dist/swagger-ui.css" {
  const path: string
  export default path
}

// The console's stylesheet and script, embedded as text.
declare module "*.css" {
  const content: string
  export default content
}

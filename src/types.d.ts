// SQL migration files are imported as text so the compiled binary embeds them.
declare module "*.sql" {
  const content: string
  export default content
}

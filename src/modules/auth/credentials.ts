// Account input rules, pure. Emails are compared in normal form.
import type { FieldProblem } from "../../platform/http/errors"

export const MIN_PASSWORD_LENGTH = 12

export const normaliseEmail = (email: string): string => email.trim().toLowerCase()

const emailShape = /^[^\s@"'<>()\\,;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/

export const credentialProblems = (email: string, password: string): ReadonlyArray<FieldProblem> => {
  const problems: Array<FieldProblem> = []
  const e = normaliseEmail(email)
  if (e.length > 254 || !emailShape.test(e)) problems.push({ field: "email", message: "must be an email address like name@example.com" })
  if ([...password].length < MIN_PASSWORD_LENGTH) problems.push({ field: "password", message: `must be at least ${MIN_PASSWORD_LENGTH} characters` })
  return problems
}

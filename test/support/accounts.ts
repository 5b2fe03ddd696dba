// Accounts for endpoint tests, created through the public API.
import { expect } from "bun:test"
import { readJson, type TestApp } from "./app"

export const PASSWORD = "correct horse battery staple"

let n = 0
export const uniqueEmail = () => `dev${++n}.${Math.floor(Math.random() * 1e9)}@example.com`

export const register = async (h: TestApp, email = uniqueEmail(), password = PASSWORD) => {
  const r = await readJson(await h.request("/v1/auth/register", { method: "POST", json: { email, password } }))
  expect(r).toMatchObject({ status: 201 })
  return { email, password, userId: r.body.user.id as string, keyId: r.body.api_key.id as string, key: r.body.api_key.key as string, body: r.body }
}

export const login = async (h: TestApp, email: string, password = PASSWORD) => {
  const r = await readJson(await h.request("/v1/auth/login", { method: "POST", json: { email, password } }))
  expect(r).toMatchObject({ status: 200 })
  return r.body.session.token as string
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

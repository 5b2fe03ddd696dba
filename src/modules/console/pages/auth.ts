import { html, type Html } from "../html"
import { csrfInput } from "../layout"

export const signInForm = (csrf: string, email = ""): Html => html`
<h1>Sign in</h1>
<section class="card">
<form class="stack" method="post" action="/console/login">
${csrfInput(csrf)}
<label>E-mail <input name="email" type="email" autocomplete="username" required value="${email}"></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>
<p class="muted">No account yet? <a href="/console/signup">Create one</a>.</p>
</section>`

export const signUpForm = (csrf: string, email = ""): Html => html`
<h1>Create an account</h1>
<section class="card">
<form class="stack" method="post" action="/console/signup">
${csrfInput(csrf)}
<label>E-mail <input name="email" type="email" autocomplete="username" required value="${email}"></label>
<label>Password (at least 12 characters) <input name="password" type="password" autocomplete="new-password" minlength="12" required></label>
<button type="submit">Create account</button>
</form>
<p class="muted">Already have one? <a href="/console/login">Sign in</a>.</p>
</section>`

export const adminSignInForm = (csrf: string): Html => html`
<h1>Operator sign-in</h1>
<section class="card">
<form class="stack" method="post" action="/console/admin/login">
${csrfInput(csrf)}
<label>Admin token <input name="token" type="password" autocomplete="off" required></label>
<button type="submit">Sign in</button>
</form>
</section>`

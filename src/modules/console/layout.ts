// The page shell both consoles share: navigation, flash message, the one
// stylesheet and the one script, all served by this app under a versioned
// path. The CSP allows nothing from another host and no inline script.
import { VERSION } from "../../version"
import { CSRF_FIELD } from "./csrf"
import { html, type Html } from "./html"

export const ASSET_BASE = `/console/assets/${VERSION}`

export const consoleCsp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ")

/** PCI: card details are entered in Stripe's own frame, from Stripe.js loaded from Stripe, never bundled. */
export const STRIPE_JS = "https://js.stripe.com/v3/"

/** The billing page's CSP when it takes a card: Stripe.js, its frames and its API, and nothing else from another host. */
export const consoleCspWithStripe = consoleCsp
  .replace("script-src 'self'", "script-src 'self' https://js.stripe.com")
  .replace("connect-src 'self'", "connect-src 'self' https://api.stripe.com")
  .concat("; frame-src https://js.stripe.com https://hooks.stripe.com")

export type Nav = { readonly items: ReadonlyArray<{ readonly href: string; readonly label: string }>; readonly current: string; readonly signOut?: { readonly action: string; readonly csrf: string } }

export type Flash = { readonly kind: "ok" | "error"; readonly text: string }

export const developerNav = (current: string, csrf?: string): Nav => ({
  items: [
    { href: "/console/keys", label: "Keys" },
    { href: "/console/usage", label: "Usage" },
    { href: "/console/agents", label: "Agents" },
    { href: "/console/billing", label: "Billing" },
    { href: "/docs", label: "API docs" },
  ],
  current,
  ...(csrf ? { signOut: { action: "/console/logout", csrf } } : {}),
})

export const adminNav = (current: string, csrf?: string): Nav => ({
  items: [
    { href: "/console/admin", label: "Pool" },
    { href: "/console/admin/money", label: "Money" },
    { href: "/console/admin/keys", label: "Users and keys" },
  ],
  current,
  ...(csrf ? { signOut: { action: "/console/admin/logout", csrf } } : {}),
})

export const csrfInput = (token: string): Html => html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`

export const page = (title: string, nav: Nav | undefined, body: Html, flash?: Flash, options: { readonly stripe?: boolean } = {}): string =>
  html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · TDK Core</title>
<link rel="stylesheet" href="${ASSET_BASE}/console.css">
${options.stripe ? html`<script src="${STRIPE_JS}"></script>` : ""}
<script src="${ASSET_BASE}/console.js" defer></script>
</head>
<body>
<header class="top">
<a class="brand" href="/console">TDK Core</a>
${nav ? html`<nav aria-label="Console"><span>${nav.items.map((i) => html` <a href="${i.href}"${i.href === nav.current ? html` aria-current="page"` : ""}>${i.label}</a>`)}</span></nav>` : ""}
${nav?.signOut ? html`<form method="post" action="${nav.signOut.action}">${csrfInput(nav.signOut.csrf)}<button class="secondary" type="submit">Sign out</button></form>` : ""}
</header>
<main id="main">
${flash ? html`<p class="flash ${flash.kind}" role="${flash.kind === "error" ? "alert" : "status"}">${flash.text}</p>` : ""}
${body}
</main>
</body>
</html>
`.text

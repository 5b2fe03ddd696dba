// Progressive enhancement only: every page works without it.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("button[data-copy]")
  if (!button) return
  var source = document.getElementById(button.getAttribute("data-copy"))
  if (!source || !navigator.clipboard) return
  navigator.clipboard.writeText(source.textContent.trim()).then(function () {
    button.textContent = "Copied"
  })
})

// The billing page's card form: Stripe's card element, a SetupIntent from
// the console, then Stripe confirms the card; the webhook marks it verified.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("card-form")
  if (!form || typeof window.Stripe !== "function") return
  var stripe = window.Stripe(form.getAttribute("data-publishable-key"))
  var card = stripe.elements().create("card")
  card.mount("#card-element")
  var message = document.getElementById("card-message")
  form.addEventListener("submit", function (event) {
    event.preventDefault()
    message.textContent = "Saving…"
    fetch(form.getAttribute("data-setup-url"), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "csrf=" + encodeURIComponent(form.getAttribute("data-csrf")),
      credentials: "same-origin",
    })
      .then(function (r) { return r.json() })
      .then(function (setup) {
        if (!setup.client_secret) throw new Error(setup.error || "Could not start saving the card.")
        return stripe.confirmCardSetup(setup.client_secret, { payment_method: { card: card } })
      })
      .then(function (result) {
        if (result.error) throw new Error(result.error.message)
        message.textContent = "Card saved. Stripe confirms it in a moment."
        setTimeout(function () { location.reload() }, 2000)
      })
      .catch(function (e) { message.textContent = e.message })
  })
})

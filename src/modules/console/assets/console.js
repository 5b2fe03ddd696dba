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

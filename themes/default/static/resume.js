// The résumé's "Print or save as PDF" button: the browser's own print dialog, whose print
// stylesheet hides the site's navigation and shows each link's address.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});

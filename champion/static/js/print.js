// A print button for printable pages (kept out of the HTML so the CSP needs no inline script).
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) window.print();
});

// Live preview for the module editor: Markdown is rendered by the server exactly as
// learners will see it, a moment after typing stops.
(function () {
  "use strict";
  var form = document.querySelector("form.editor");
  if (!form) return;
  var url = form.getAttribute("data-preview-url");
  var series = form.getAttribute("data-series");
  var token = form.querySelector("input[name=csrf_token]").value;
  var timers = {};

  function render(textarea) {
    var target = document.getElementById(textarea.getAttribute("data-preview"));
    if (!target) return;
    var body = new URLSearchParams();
    body.set("markdown", textarea.value);
    body.set("series", series);
    body.set("csrf_token", token);
    fetch(url, { method: "POST", body: body, credentials: "same-origin",
                 headers: { "X-CSRFToken": token } })
      // 422: the text is refused (too large or too costly to render); the body says why.
      .then(function (response) {
        return response.ok || response.status === 422 ? response.text() : null;
      })
      .then(function (html) { if (html !== null) target.innerHTML = html; });
  }

  Array.prototype.forEach.call(form.querySelectorAll("textarea[data-preview]"), function (area) {
    render(area);
    area.addEventListener("input", function () {
      clearTimeout(timers[area.id]);
      timers[area.id] = setTimeout(function () { render(area); }, 400);
    });
  });
})();

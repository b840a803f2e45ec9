// Quiz answers kept in this browser while the learner answers, so leaving the page (a
// page reload, a phone call, the back button) loses nothing. Keyed by the attempt drawn
// for them (the form's "draw"), restored with a note, cleared on submit. The form works
// the same without script.
(function () {
  "use strict";
  var form = document.querySelector("form[data-quiz-save]");
  if (!form || !window.localStorage) return;
  var draw = form.querySelector("input[name=draw]");
  if (!draw || !draw.value) return;
  var key = "champion-quiz:" + draw.value;
  var note = document.querySelector("[data-quiz-restored]");
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[type=radio], input[type=checkbox]"));
  var DAY = 24 * 60 * 60 * 1000;

  function store() {
    var checked = inputs.filter(function (i) { return i.checked; }).map(function (i) { return i.id; });
    try { localStorage.setItem(key, JSON.stringify({ at: Date.now(), checked: checked })); } catch (e) { /* full or private */ }
  }
  function forget() { try { localStorage.removeItem(key); } catch (e) { /* nothing kept */ } }

  // Old attempts' answers go: a drawn attempt closes after a day.
  try {
    for (var i = localStorage.length - 1; i >= 0; i--) {
      var name = localStorage.key(i);
      if (name && name.indexOf("champion-quiz:") === 0 && name !== key) {
        var old = JSON.parse(localStorage.getItem(name) || "{}");
        if (!old.at || Date.now() - old.at > DAY) localStorage.removeItem(name);
      }
    }
  } catch (e) { /* unreadable: leave it */ }

  var saved = null;
  try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
  // The server's own copy (a form sent back with a problem) wins over the browser's.
  var answered = inputs.some(function (i) { return i.checked; });
  if (saved && saved.checked && saved.checked.length && !answered) {
    saved.checked.forEach(function (id) {
      var input = document.getElementById(id);
      if (input && form.contains(input)) input.checked = true;
    });
    if (note) note.hidden = false;
  }
  form.addEventListener("change", store);
  form.addEventListener("submit", forget);
  var clear = note && note.querySelector("button");
  if (clear) clear.addEventListener("click", function () {
    inputs.forEach(function (i) { i.checked = false; });
    forget();
    note.hidden = true;
  });
})();

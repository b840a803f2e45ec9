// Presenter view: current slide, next slide, notes and a timer; the audience window follows.
(function () {
  "use strict";
  var root = document.querySelector("[data-presenter]");
  if (!root) return;
  var count = parseInt(root.getAttribute("data-count"), 10);
  var channel = window.BroadcastChannel ? new BroadcastChannel(root.getAttribute("data-channel")) : null;
  var slides = root.querySelectorAll("[data-slide]");
  var nexts = root.querySelectorAll("[data-next]");
  var notes = root.querySelectorAll("[data-notes]");
  var end = root.querySelector("[data-end]");
  var counter = root.querySelector("[data-current]");
  var index = 0;

  function show(target, broadcast) {
    index = Math.max(0, Math.min(count - 1, target));
    for (var i = 0; i < count; i++) {
      slides[i].hidden = i !== index;
      notes[i].hidden = i !== index;
      nexts[i].hidden = i !== index + 1;
    }
    end.hidden = index < count - 1;
    counter.textContent = String(index + 1);
    if (channel && broadcast) channel.postMessage({ index: index, from: "presenter" });
  }
  if (channel) channel.onmessage = function (event) {
    if (event.data && event.data.from === "audience") show(event.data.index, false);
  };
  root.querySelector("[data-prev]").addEventListener("click", function () { show(index - 1, true); });
  root.querySelector("[data-next-button]").addEventListener("click", function () { show(index + 1, true); });
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (["ArrowRight", "PageDown", " "].indexOf(event.key) >= 0) { event.preventDefault(); show(index + 1, true); }
    else if (["ArrowLeft", "PageUp"].indexOf(event.key) >= 0) { event.preventDefault(); show(index - 1, true); }
  });

  var timer = root.querySelector("[data-timer]");
  var started = Date.now(), paused = 0, pausedAt = null;
  function tick() {
    var now = pausedAt || Date.now();
    var elapsed = Math.floor((now - started - paused) / 1000);
    timer.textContent = Math.floor(elapsed / 60) + ":" + ("0" + (elapsed % 60)).slice(-2);
  }
  setInterval(tick, 1000);
  root.querySelector("[data-timer-toggle]").addEventListener("click", function (event) {
    if (pausedAt) { paused += Date.now() - pausedAt; pausedAt = null; event.target.textContent = "Pause"; }
    else { pausedAt = Date.now(); event.target.textContent = "Resume"; }
  });
  root.querySelector("[data-timer-reset]").addEventListener("click", function () {
    started = Date.now(); paused = 0; pausedAt = pausedAt ? Date.now() : null; tick();
  });
  show(0, true);
  root.setAttribute("data-ready", "");
})();

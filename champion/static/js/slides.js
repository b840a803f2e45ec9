// Presentation mode: one slide at a time; arrow keys, buttons and swipe move between them.
(function () {
  "use strict";
  var deck = document.querySelector("[data-deck]");
  if (!deck) return;
  var slides = Array.prototype.slice.call(deck.querySelectorAll("[data-slide]"));
  var counter = deck.querySelector("[data-current]");
  var progress = deck.querySelector("[data-progress]");
  var prev = deck.querySelector("[data-prev]");
  var next = deck.querySelector("[data-next]");
  var atEnd = deck.querySelector("[data-at-end]");
  var key = deck.getAttribute("data-storage-key");
  var serverStart = parseInt(deck.getAttribute("data-start") || "0", 10);
  var channel = window.BroadcastChannel ? new BroadcastChannel(deck.getAttribute("data-channel")) : null;
  var index = 0;

  function fromHash() {
    var match = /^#slide-(\d+)$/.exec(window.location.hash);
    return match ? parseInt(match[1], 10) - 1 : null;
  }

  function show(target, focus, fromPresenter) {
    index = Math.max(0, Math.min(slides.length - 1, target));
    slides.forEach(function (slide, i) { slide.hidden = i !== index; });
    counter.textContent = String(index + 1);
    progress.value = index + 1;
    prev.disabled = index === 0;
    next.disabled = index === slides.length - 1;
    // On the last slide, the way on (the quiz) stands beside the disabled Next.
    if (atEnd) atEnd.hidden = index !== slides.length - 1;
    if (history.replaceState) history.replaceState(null, "", "#slide-" + (index + 1));
    try { window.localStorage.setItem(key, String(index)); } catch (e) { /* private mode */ }
    if (window.ChampionActivity) window.ChampionActivity.slide(index);
    if (channel && !fromPresenter) channel.postMessage({ index: index, from: "audience" });
    if (focus) slides[index].focus();
  }
  // The presenter view drives this window when it is open.
  if (channel) channel.onmessage = function (event) {
    if (event.data && event.data.from === "presenter") show(event.data.index, false, true);
  };

  slides.forEach(function (slide) { slide.setAttribute("tabindex", "-1"); });
  prev.addEventListener("click", function () { show(index - 1, false); });
  next.addEventListener("click", function () { show(index + 1, false); });
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select") return;
    if (["ArrowRight", "PageDown", " "].indexOf(event.key) >= 0) { event.preventDefault(); show(index + 1, true); }
    else if (["ArrowLeft", "PageUp"].indexOf(event.key) >= 0) { event.preventDefault(); show(index - 1, true); }
    else if (event.key === "Home") { event.preventDefault(); show(0, true); }
    else if (event.key === "End") { event.preventDefault(); show(slides.length - 1, true); }
  });
  var startX = null;
  deck.addEventListener("touchstart", function (e) { startX = e.changedTouches[0].clientX; }, { passive: true });
  deck.addEventListener("touchend", function (e) {
    if (startX === null) return;
    var dx = e.changedTouches[0].clientX - startX;
    if (Math.abs(dx) > 50) show(index + (dx < 0 ? 1 : -1), false);
    startX = null;
  }, { passive: true });

  // Resume: the address's #slide-N, else where the server says the learner stopped,
  // else where this browser last was.
  var saved = null;
  try { saved = parseInt(window.localStorage.getItem(key), 10); } catch (e) { saved = null; }
  var start = fromHash();
  if (start === null) start = serverStart > 0 ? serverStart : (isNaN(saved) || saved === null ? 0 : saved);
  show(start, false);
  deck.setAttribute("data-ready", "");
})();

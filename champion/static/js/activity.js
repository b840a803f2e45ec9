// Time with a module on screen: a report every 30 seconds while the page is visible.
// Shared by the reading view and presentation mode (which also reports its slide). The
// reading view also reports, once, that the learner reached its end (presentation mode's
// last slide says so by itself).
window.ChampionActivity = (function () {
  "use strict";
  var holder = document.querySelector("[data-activity-url]");
  if (!holder) return { slide: function () {} };
  var url = holder.getAttribute("data-activity-url");
  var token = holder.getAttribute("data-csrf");
  var seconds = 0, currentSlide = null, timer = null;

  function send(extra) {
    var body = { seconds: seconds, slide: currentSlide };
    seconds = 0;
    fetch(url, { method: "POST", keepalive: true, credentials: "same-origin",
                 headers: { "Content-Type": "application/json", "X-CSRFToken": token },
                 body: JSON.stringify(Object.assign(body, extra || {})) })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        var status = document.querySelector("[data-completion-status]");
        if (answer && answer.completed && status) {
          status.textContent = "You reached the end and had passed the quiz: this module is now complete.";
        }
      })
      .catch(function () {});
  }
  var end = document.querySelector("[data-presentation-end]");
  if (end && "IntersectionObserver" in window) {
    var watcher = new IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) {
        watcher.disconnect();
        send({ end: true });
      }
    });
    watcher.observe(end);
  }
  setInterval(function () {
    if (document.visibilityState === "visible") seconds += 5;
    if (seconds >= 30) send();
  }, 5000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && seconds > 0) send();
  });
  return {
    slide: function (index) {  // remembered so the learner resumes here
      currentSlide = index;
      clearTimeout(timer);
      timer = setTimeout(send, 1500);
    }
  };
})();

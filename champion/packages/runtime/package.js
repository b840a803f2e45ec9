/* Champion's package runtime: the module's quiz, drawn and scored in the page, and the
   report to the LMS, through the SCORM 1.2 API (window.API in a parent or opener) or as
   cmi5 statements (the launch parameters in this page's URL). No other network use.

   The quiz data in the page holds every question of the pool and its key: scoring in the
   learner's browser needs them. */
(function () {
  "use strict";

  var standard = document.documentElement.getAttribute("data-standard");
  var statusLine = document.querySelector("[data-lms-status]");
  var opened = Date.now();

  function say(text) {
    if (statusLine) statusLine.textContent = text;
  }

  function seconds() {
    return (Date.now() - opened) / 1000;
  }

  // --- SCORM 1.2 -------------------------------------------------------------------------

  function findApi(win) {
    for (var hops = 0; win && hops < 10; hops++) {
      try {
        if (win.API) return win.API;
      } catch (e) { /* another origin's window: keep climbing */ }
      if (win.parent === win) break;
      win = win.parent;
    }
    return null;
  }

  function sessionTime(total) {  // SCORM 1.2 CMITimespan: HHHH:MM:SS.SS
    var h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return (h < 1000 ? ("000" + h).slice(-4) : String(h)) + ":" + two(m) + ":" +
      (s < 10 ? "0" : "") + s.toFixed(2);
  }

  function scorm12() {
    var api = findApi(window) || (window.opener ? findApi(window.opener) : null);
    if (!api || String(api.LMSInitialize("")) !== "true") return null;
    var status = api.LMSGetValue("cmi.core.lesson_status");
    if (!status || status === "not attempted") {
      api.LMSSetValue("cmi.core.lesson_status", "incomplete");
      api.LMSCommit("");
    }
    var finished = false;
    function finish() {
      if (finished) return;
      finished = true;
      api.LMSSetValue("cmi.core.session_time", sessionTime(seconds()));
      api.LMSCommit("");
      api.LMSFinish("");
    }
    window.addEventListener("pagehide", finish);
    return {
      passes: null,
      quiz: function (score, passed) {
        var previous = parseInt(api.LMSGetValue("cmi.core.score.raw"), 10);
        api.LMSSetValue("cmi.core.score.min", "0");
        api.LMSSetValue("cmi.core.score.max", "100");
        // The best score counts, and a pass is never taken back by a later attempt.
        api.LMSSetValue("cmi.core.score.raw", String(isNaN(previous) ? score : Math.max(previous, score)));
        if (api.LMSGetValue("cmi.core.lesson_status") !== "passed") {
          api.LMSSetValue("cmi.core.lesson_status", passed ? "passed" : "failed");
        }
        api.LMSCommit("");
        say(passed ? "Your pass has been recorded." : "Your score has been recorded.");
      },
      complete: function () {
        if (api.LMSGetValue("cmi.core.lesson_status") !== "passed") {
          api.LMSSetValue("cmi.core.lesson_status", "completed");
        }
        api.LMSCommit("");
        say("Marked as complete.");
      },
      finish: finish
    };
  }

  // --- cmi5 ------------------------------------------------------------------------------

  var VERBS = {
    initialized: "http://adlnet.gov/expapi/verbs/initialized",
    passed: "http://adlnet.gov/expapi/verbs/passed",
    failed: "http://adlnet.gov/expapi/verbs/failed",
    completed: "http://adlnet.gov/expapi/verbs/completed",
    terminated: "http://adlnet.gov/expapi/verbs/terminated"
  };
  var CATEGORY_CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5";
  var CATEGORY_MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon";

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function cmi5() {
    var params = new URLSearchParams(window.location.search);
    var endpoint = params.get("endpoint"), fetchUrl = params.get("fetch");
    var actor = params.get("actor"), registration = params.get("registration");
    var activityId = params.get("activityId");
    if (!(endpoint && fetchUrl && actor && registration && activityId)) return null;
    actor = JSON.parse(actor);
    if (endpoint.slice(-1) !== "/") endpoint += "/";
    var token = null, template = {}, launchMode = "Normal", sent = {}, terminated = false;
    var lms = { passes: null };

    function headers() {
      return { "Authorization": "Basic " + token, "X-Experience-API-Version": "1.0.3",
               "Content-Type": "application/json" };
    }

    function statement(verb, result, moveOn) {
      var context = JSON.parse(JSON.stringify(template));  // the LMS's template, session id included
      context.registration = registration;
      context.contextActivities = context.contextActivities || {};
      var categories = (context.contextActivities.category || []).slice();
      categories.push({ id: CATEGORY_CMI5 });
      if (moveOn) categories.push({ id: CATEGORY_MOVEON });
      context.contextActivities.category = categories;
      var made = { id: uuid(), actor: actor, verb: { id: VERBS[verb], display: { "en-US": verb } },
                   object: { objectType: "Activity", id: activityId }, context: context,
                   timestamp: new Date().toISOString() };
      if (result) made.result = result;
      return made;
    }

    var queue;
    function send(verb, result, moveOn, keepalive) {
      queue = queue.then(function () {
        return fetch(endpoint + "statements", {
          method: "POST", headers: headers(), keepalive: !!keepalive,
          body: JSON.stringify(statement(verb, result, moveOn))
        }).then(function (response) {
          if (!response.ok) throw new Error("the LMS refused the " + verb + " statement (" + response.status + ")");
          sent[verb] = true;
        });
      });
      return queue;
    }

    queue = fetch(fetchUrl, { method: "POST" }).then(function (response) {
      return response.json();
    }).then(function (body) {
      if (!body["auth-token"]) throw new Error(body["error-text"] || "the LMS gave no token");
      token = body["auth-token"];
      var query = new URLSearchParams({ stateId: "LMS.LaunchData", activityId: activityId,
                                        agent: JSON.stringify(actor), registration: registration });
      return fetch(endpoint + "activities/state?" + query.toString(), { headers: headers() });
    }).then(function (response) {
      if (!response.ok) throw new Error("the LMS gave no launch data (" + response.status + ")");
      return response.json();
    }).then(function (data) {
      template = data.contextTemplate || {};
      launchMode = data.launchMode || "Normal";
      if (typeof data.masteryScore === "number") {
        lms.passes = function (score) { return score / 100 >= data.masteryScore; };
      }
    });
    send("initialized");
    queue.catch(function (error) { say("Your results can't be recorded: " + error.message); });

    function judged() { return launchMode === "Normal"; }
    function duration() { return "PT" + seconds().toFixed(2) + "S"; }

    lms.quiz = function (score, passed) {
      if (!judged() || sent.passed) return;  // one pass per registration (cmi5 9.3.4)
      send(passed ? "passed" : "failed",
           { score: { scaled: score / 100, raw: score, min: 0, max: 100 }, success: passed,
             duration: duration() }, true);
      if (passed && !sent.completed) send("completed", { completion: true, duration: duration() }, true);
      queue.then(function () { say(passed ? "Your pass has been recorded." : "Your score has been recorded."); });
    };
    lms.complete = function () {
      if (!judged() || sent.completed) return;
      send("completed", { completion: true, duration: duration() }, true);
      queue.then(function () { say("Marked as complete."); });
    };
    lms.finish = function () {
      if (terminated) return;
      terminated = true;
      send("terminated", { duration: duration() }, false, true);
    };
    window.addEventListener("pagehide", lms.finish);
    return lms;
  }

  // --- The quiz --------------------------------------------------------------------------

  function random(n) {  // an integer in [0, n)
    return crypto.getRandomValues(new Uint32Array(1))[0] % n;
  }

  function shuffle(items) {
    for (var i = items.length - 1; i > 0; i--) {
      var j = random(i + 1), t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }

  function element(tag, attributes, text) {
    var made = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { made.setAttribute(name, attributes[name]); });
    if (text) made.textContent = text;
    return made;
  }

  function setUpQuiz(lms) {
    var form = document.querySelector("[data-quiz]");
    if (!form) return;
    var data = JSON.parse(form.getAttribute("data-quiz"));
    var holder = form.querySelector("[data-questions]");
    var outcome = document.querySelector("[data-result]");
    var drawn = [];

    function draw() {  // questions_per_attempt from the pool; choices shuffled, pinned ones last
      var pool = shuffle(data.questions.map(function (_, i) { return i; }));
      drawn = pool.slice(0, data.per_attempt).map(function (index) {
        var free = [], pinned = [];
        data.questions[index].choices.forEach(function (choice, i) { (choice.pinned ? pinned : free).push(i); });
        return { index: index, order: shuffle(free).concat(pinned) };
      });
      holder.textContent = "";
      drawn.forEach(function (shown, n) {
        var question = data.questions[shown.index];
        var multiple = question.key.length > 1;
        var fieldset = element("fieldset", { "class": "question" });
        var legend = element("legend");
        legend.appendChild(element("span", { "class": "question-number" },
          "Question " + (n + 1) + (multiple ? " · select all that apply" : "")));
        fieldset.appendChild(legend);
        var prompt = element("div", { "class": "prose question-prompt" });
        prompt.innerHTML = question.prompt;  // sanitized when the content was synced
        fieldset.appendChild(prompt);
        var list = element("ul", { "class": "choices" });
        shown.order.forEach(function (choiceIndex, position) {
          var id = "q" + (n + 1) + "-c" + (position + 1);
          var item = element("li", { "class": "choice" });
          item.appendChild(element("input", { type: multiple ? "checkbox" : "radio", id: id,
                                              name: "q" + (n + 1), value: String(choiceIndex) }));
          var label = element("label", { "for": id });
          label.innerHTML = question.choices[choiceIndex].html;
          item.appendChild(label);
          list.appendChild(item);
        });
        fieldset.appendChild(list);
        holder.appendChild(fieldset);
      });
      form.hidden = false;
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var unanswered = [], wrong = [], correct = 0;
      drawn.forEach(function (shown, n) {
        var chosen = Array.prototype.map.call(
          form.querySelectorAll("input[name=q" + (n + 1) + "]:checked"),
          function (input) { return Number(input.value); }).sort();
        if (!chosen.length) unanswered.push(n + 1);
        var key = data.questions[shown.index].key.slice().sort();
        if (chosen.join(",") === key.join(",")) correct += 1; else wrong.push(n + 1);
      });
      outcome.textContent = "";
      if (unanswered.length) {
        outcome.appendChild(element("p", { "class": "field-error", role: "alert" },
          "Answer every question: " + (unanswered.length > 1 ? "questions " : "question ") +
          unanswered.join(", ") + (unanswered.length > 1 ? " have" : " has") + " no answer yet."));
        outcome.focus();
        return;
      }
      var score = Math.floor(100 * correct / drawn.length);
      var passed = lms && lms.passes ? lms.passes(score) : score >= data.pass_mark;
      form.hidden = true;
      outcome.appendChild(element("h3", { "data-score": String(score) },
        "You scored " + score + "%: " + (passed ? "passed" : "not passed (" + data.pass_mark + "% passes)")));
      if (wrong.length) {
        outcome.appendChild(element("p", {}, "Questions to review: " + wrong.join(", ") + "."));
      }
      var again = element("button", { "class": "button button-secondary", type: "button" }, "Try again");
      again.addEventListener("click", function () { outcome.textContent = ""; draw(); holder.querySelector("input").focus(); });
      outcome.appendChild(again);
      outcome.focus();
      if (lms) lms.quiz(score, passed);
    });
    draw();
  }

  var lms = standard === "cmi5" ? cmi5() : scorm12();
  if (!lms) say("This page is not connected to a learning management system: results are not recorded.");
  var mark = document.querySelector("[data-mark-complete]");
  if (mark) {
    mark.addEventListener("click", function () {
      if (lms) lms.complete(); else say("Not recorded: no learning management system.");
    });
  }
  setUpQuiz(lms);
})();

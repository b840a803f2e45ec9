// A formatting toolbar above each Markdown box of the module editor, for educators who
// don't write Markdown: each button inserts Markdown at the cursor (or around the
// selection). One Tab stop: arrow keys, Home and End move between the buttons (the ARIA
// toolbar pattern); Ctrl+B and Ctrl+I work in the box itself.
(function () {
  "use strict";
  var ACTIONS = [
    { name: "Bold", label: "B", wrap: ["**", "**"], placeholder: "bold text", key: "b" },
    { name: "Italic", label: "I", wrap: ["_", "_"], placeholder: "italic text", key: "i" },
    { name: "Heading", label: "H", line: "## ", placeholder: "Heading" },
    { name: "Bulleted list", label: "• List", line: "- ", placeholder: "List item" },
    { name: "Link", label: "Link", wrap: ["[", "](https://)"], placeholder: "link text" },
    { name: "Image", label: "Image", wrap: ["![", "](media/file.png)"],
      placeholder: "Describe the image" },
    { name: "Slide break", label: "New slide", block: "---" },
    { name: "Presenter note", label: "Note", wrap: ["<!-- ", " -->"],
      placeholder: "Presenter note: not shown to learners" }
  ];

  function insert(area, action) {
    var start = area.selectionStart, end = area.selectionEnd, value = area.value;
    var selected = value.slice(start, end), text, from, to;
    if (action.wrap) {
      var inner = selected || action.placeholder;
      text = action.wrap[0] + inner + action.wrap[1];
      from = start + action.wrap[0].length;
      to = from + inner.length;
    } else if (action.line) {
      // Every line the selection touches (or the cursor's line) gets the prefix.
      var lineStart = value.lastIndexOf("\n", start - 1) + 1;
      var lineEnd = value.indexOf("\n", end);
      if (end === start || value.charAt(end - 1) !== "\n") {
        end = lineEnd < 0 ? value.length : lineEnd;
      }
      start = lineStart;
      selected = value.slice(lineStart, end);
      var lines = (selected || action.placeholder).split("\n");
      text = lines.map(function (l) { return action.line + l; }).join("\n");
      from = start + action.line.length;
      to = start + text.length;
    } else {
      // A slide break needs a blank line before and after it to count.
      var before = value.slice(0, start).replace(/\n*$/, "");
      var after = value.slice(end).replace(/^\n*/, "");
      text = (before ? "\n\n" : "") + action.block + "\n\n";
      start = before.length;
      end = value.length - after.length;
      from = to = start + text.length;
    }
    area.focus();
    area.setRangeText(text, start, end, "end");
    area.setSelectionRange(from, to);
    area.dispatchEvent(new Event("input", { bubbles: true }));  // the live preview follows
  }

  function toolbarFor(area) {
    var label = document.querySelector('label[for="' + area.id + '"]');
    var bar = document.createElement("div");
    bar.className = "md-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Formatting" + (label ? ": " + label.textContent.split("(")[0].trim() : ""));
    bar.setAttribute("aria-controls", area.id);
    var buttons = ACTIONS.map(function (action, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "md-button";
      button.textContent = action.label;
      button.setAttribute("aria-label", action.name);
      button.title = action.name + (action.key ? " (Ctrl+" + action.key.toUpperCase() + ")" : "");
      button.tabIndex = index === 0 ? 0 : -1;
      button.addEventListener("click", function () { insert(area, action); });
      bar.appendChild(button);
      return button;
    });
    bar.addEventListener("keydown", function (event) {
      var index = buttons.indexOf(document.activeElement);
      if (index < 0) return;
      var next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0,
                   End: buttons.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      next = (next + buttons.length) % buttons.length;
      buttons[index].tabIndex = -1;
      buttons[next].tabIndex = 0;
      buttons[next].focus();
    });
    area.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
      ACTIONS.forEach(function (action) {
        if (action.key && event.key.toLowerCase() === action.key) {
          event.preventDefault();
          insert(area, action);
        }
      });
    });
    area.parentNode.insertBefore(bar, area);
  }

  Array.prototype.forEach.call(
    document.querySelectorAll("form.editor textarea[data-preview]"), toolbarFor);
})();

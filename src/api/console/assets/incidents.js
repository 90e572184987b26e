// The console's incident pages: a live preview of each Markdown textarea (rendered by the server, as the status page
// will show it), and in the incident room the header's status kept current from the overview's event stream. Without
// this script the pages are complete: the "Preview" button and the "Reload" link do the same.
(function () {
  "use strict";
  var timers = {};
  var preview = function (area) {
    var target = document.getElementById(area.getAttribute("data-preview"));
    var csrf = area.form && area.form.querySelector('input[name="csrf"]');
    if (!target || !csrf) return;
    var body = new URLSearchParams();
    body.set("csrf", csrf.value);
    body.set("body", area.value);
    fetch("/manage/preview", { method: "POST", credentials: "same-origin", headers: { "content-type": "application/x-www-form-urlencoded" }, body: body.toString() })
      .then(function (res) {
        return res.ok ? res.text() : null;
      })
      .then(function (html) {
        if (html === null) return;
        target.innerHTML = '<p class="meta">Preview</p>' + html;
        target.hidden = false;
      })
      .catch(function () {});
  };
  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-preview]"), function (area) {
    var key = area.id;
    area.addEventListener("input", function () {
      clearTimeout(timers[key]);
      timers[key] = setTimeout(function () {
        preview(area);
      }, 300);
    });
  });

  var room = document.querySelector("[data-room]");
  var status = document.getElementById("room-status");
  if (!room || !status || typeof EventSource !== "function") return;
  var id = room.getAttribute("data-room");
  var state = document.getElementById("live-state");
  var announce = document.getElementById("announce");
  var open = { investigating: true, identified: true, monitoring: true };
  var say = function (text) {
    if (state) state.textContent = text;
  };
  var source = new EventSource("/manage/events");
  source.addEventListener("open", function () {
    say("Live: the status changes as it happens.");
  });
  source.addEventListener("error", function () {
    say(source.readyState === EventSource.CLOSED ? "Live updates stopped: reload the page." : "Live updates interrupted: reconnecting.");
  });
  source.addEventListener("overview", function (event) {
    var message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    var part = document.createElement("template");
    part.innerHTML = (message.sections && message.sections.incidents) || "";
    var item = part.content.querySelector('[data-incident="' + id + '"] [data-incident-status]');
    var now = item ? item.textContent : open[status.textContent] ? "resolved" : status.textContent;
    if (now === status.textContent) return;
    status.textContent = now;
    status.setAttribute("data-status", now);
    if (announce) announce.textContent = "This incident is now " + now + ". Reload the page for its updates.";
    say("Status changed: reload the page for its updates.");
  });
  source.addEventListener("signed-out", function () {
    source.close();
    say("Your session ended: reload the page to sign in again.");
  });
})();

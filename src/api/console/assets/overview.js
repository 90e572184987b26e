// The console overview's live updates: replaces each [data-live] part with the one the server sends over
// /manage/events, keeps the keyboard focus where it was, and has changes read out through the page's status region.
// Without this script the page is complete as served; "Reload" brings it up to date.
(function () {
  "use strict";
  if (typeof EventSource !== "function") return;
  var state = document.getElementById("live-state");
  var announce = document.getElementById("announce");
  var say = function (text) {
    if (state) state.textContent = text;
  };
  // What identifies the focused element again after its part is replaced: a link by its address, else its data-* key.
  var keyOf = function (element) {
    if (element.getAttribute("href")) return 'a[href="' + element.getAttribute("href") + '"]';
    return null;
  };
  // The part last applied, by name: an unchanged part is left alone (and the focus in it).
  var applied = {};
  var source = new EventSource("/manage/events");
  source.addEventListener("open", function () {
    say("Live: changes appear as they happen.");
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
    var sections = message.sections || {};
    Object.keys(sections).forEach(function (name) {
      var target = document.querySelector('[data-live="' + name + '"]');
      if (!target || applied[name] === sections[name]) return;
      var focused = document.activeElement;
      var key = focused && target.contains(focused) ? keyOf(focused) : null;
      target.innerHTML = sections[name];
      applied[name] = sections[name];
      var again = key ? target.querySelector(key) : null;
      if (again) again.focus();
    });
    if (announce && message.announce && message.announce.length > 0) announce.textContent = message.announce.join(" ");
  });
  source.addEventListener("signed-out", function () {
    source.close();
    say("Your session ended: reload the page to sign in again.");
  });
})();

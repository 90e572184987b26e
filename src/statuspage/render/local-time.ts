/**
 * `/local-time.js`: an optional enhancement. The page is complete without it: every time and every day is in the
 * page's time zone, named in the footer, with the UTC instant in each `<time datetime>`. The page's text stays as it
 * is, so times, day headings and the uptime bars' days keep agreeing with each other (a bar's day can only be
 * counted on the server, in the page's zone). When the reader's zone is another one, the script adds the same
 * instant in the reader's zone and locale beside each time, "(Dec 6, 4:20 PM EST your time)", and a sentence to
 * the footer naming the reader's zone.
 * A separate file (no inline script), so a strict Content-Security-Policy allows it as `script-src 'self'`.
 */
export function localTimeScript(): string {
  return `(function () {
  "use strict";
  var note = document.querySelector("[data-time-zone]");
  if (!note) return;
  var reader;
  try {
    reader = new Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  // The reader is in the page's zone: the page's times are theirs already.
  if (!reader || reader === note.getAttribute("data-time-zone")) return;
  var format = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short" });
  var times = document.querySelectorAll("time[datetime]");
  for (var i = 0; i < times.length; i++) {
    var el = times[i];
    var value = el.getAttribute("datetime");
    // Calendar days (YYYY-MM-DD) are the page's days: left as they are.
    if (!value || value.length <= 10) continue;
    var date = new Date(value);
    if (isNaN(date.getTime())) continue;
    var local = document.createElement("span");
    local.className = "local-time";
    local.textContent = " (" + format.format(date) + " your time)";
    el.parentNode.insertBefore(local, el.nextSibling);
  }
  var said = document.createElement("span");
  said.className = "local-time";
  said.textContent = " In brackets after each time: the same time in your time zone, " + reader + ".";
  note.appendChild(said);
})();
`;
}

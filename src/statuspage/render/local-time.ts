/**
 * `/local-time.js`: an optional enhancement. The page is complete without it (times are in the page's
 * time zone, with the UTC instant in each `<time datetime>`); with it, each time is shown in the
 * reader's own time zone and locale, and the page's original text stays in the element's title.
 * A separate file (no inline script), so a strict Content-Security-Policy allows it as `script-src 'self'`.
 */
export function localTimeScript(): string {
  return `(function () {
  "use strict";
  var format = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
  var times = document.querySelectorAll("time[datetime]");
  for (var i = 0; i < times.length; i++) {
    var el = times[i];
    var value = el.getAttribute("datetime");
    // Calendar days (YYYY-MM-DD) are the page's days: left as they are.
    if (!value || value.length <= 10) continue;
    var date = new Date(value);
    if (isNaN(date.getTime())) continue;
    el.setAttribute("title", el.textContent || "");
    el.textContent = format.format(date);
  }
})();
`;
}

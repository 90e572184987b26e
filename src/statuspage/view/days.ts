/** The calendar day (YYYY-MM-DD) of `at` in `timeZone`. */
export function dayKey(at: Date | number, timeZone: string): string {
  return formatterFor(timeZone).format(typeof at === "number" ? new Date(at) : at);
}

/** The instant a calendar day begins in `timeZone` (handles DST changes: the offset is read at the day's start). */
export function startOfDay(day: string, timeZone: string): number {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const utc = Date.UTC(y, m - 1, d);
  let start = utc - offsetMs(utc, timeZone);
  // The offset at the guessed start may differ (a DST change between UTC midnight and local midnight).
  const again = utc - offsetMs(start, timeZone);
  if (again !== start) start = again;
  return start;
}

/** The `count` days ending with the day of `now`, oldest first. */
export function lastDays(now: Date, count: number, timeZone: string): string[] {
  const today = dayKey(now, timeZone);
  const [y, m, d] = today.split("-").map(Number) as [number, number, number];
  return Array.from({ length: count }, (_, i) => new Date(Date.UTC(y, m - 1, d - (count - 1 - i))).toISOString().slice(0, 10));
}

/** The day after `day` (calendar arithmetic, no time zone involved). */
export function nextDay(day: string): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

// How far `timeZone`'s wall clock is ahead of UTC at `at`.
function offsetMs(at: number, timeZone: string): number {
  const parts = Object.fromEntries(partsFormatterFor(timeZone).formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(parts["year"]), Number(parts["month"]) - 1, Number(parts["day"]), Number(parts["hour"]) % 24, Number(parts["minute"]), Number(parts["second"]));
  return wall - Math.floor(at / 1000) * 1000;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) formatters.set(timeZone, (f = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" })));
  return f;
}

function partsFormatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = partsFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
    partsFormatters.set(timeZone, f);
  }
  return f;
}

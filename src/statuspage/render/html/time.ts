/**
 * Dates and times in the page's time zone. Without JavaScript the reader's own zone is unknowable, so every time is
 * written in the page's zone with the zone named ("27 Nov 2026, 14:20 CET") and the UTC instant kept in the
 * `datetime` attribute. Month names are spelled here rather than by Intl so the text does not change with the ICU
 * version; Intl only supplies the calendar fields in the zone and the zone's abbreviation.
 */

const monthsShort = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const monthsLong = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** A time zone's calendar. */
export interface Zone {
  /** The IANA name in use: the page's, or UTC when the page's is unknown to Intl. */
  readonly id: string;
  fields(date: Date): Fields;
  /** The zone's abbreviation at `date` ("CET", "EST"), else its offset ("UTC+09:00"). */
  abbreviation(date: Date): string;
  /** The zone's offset from UTC at `date`, "UTC+01:00". */
  offset(date: Date): string;
}

const zones = new Map<string, Zone>();

function part(parts: Intl.DateTimeFormatPart[], type: Intl.DateTimeFormatPartTypes): string {
  return parts.find((p) => p.type === type)?.value ?? "";
}

function makeZone(id: string): Zone {
  const fieldsFormat = new Intl.DateTimeFormat("en-GB", {
    timeZone: id,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    numberingSystem: "latn",
  });
  const shortGb = new Intl.DateTimeFormat("en-GB", { timeZone: id, timeZoneName: "short" });
  const shortUs = new Intl.DateTimeFormat("en-US", { timeZone: id, timeZoneName: "short" });
  const longOffset = new Intl.DateTimeFormat("en-GB", { timeZone: id, timeZoneName: "longOffset" });
  const offset = (date: Date): string => {
    const name = part(longOffset.formatToParts(date), "timeZoneName");
    const match = /^GMT([+-]\d{2}:\d{2})$/.exec(name);
    return match ? `UTC${match[1]}` : "UTC+00:00";
  };
  const numeric = /^(GMT|UTC)[+-]/;
  return {
    id,
    fields(date) {
      const parts = fieldsFormat.formatToParts(date);
      const n = (type: Intl.DateTimeFormatPartTypes) => Number.parseInt(part(parts, type), 10);
      return { year: n("year"), month: n("month"), day: n("day"), hour: n("hour") % 24, minute: n("minute") };
    },
    abbreviation(date) {
      // en-GB knows the European abbreviations (CET, BST), en-US the American ones (EST, PDT); else the offset.
      for (const format of [shortGb, shortUs]) {
        const name = part(format.formatToParts(date), "timeZoneName");
        if (name !== "" && !numeric.test(name)) return name;
      }
      return offset(date);
    },
    offset,
  };
}

/** The zone named `timeZone`, or UTC when Intl does not know it. */
export function zoneOf(timeZone: string): Zone {
  let zone = zones.get(timeZone);
  if (zone === undefined) {
    try {
      zone = makeZone(timeZone);
    } catch {
      zone = zones.get("UTC") ?? makeZone("UTC");
    }
    zones.set(timeZone, zone);
  }
  return zone;
}

const pad = (n: number): string => String(n).padStart(2, "0");

const valid = (date: Date): boolean => date instanceof Date && !Number.isNaN(date.getTime());

/** The UTC instant for a `datetime` attribute, to the second: "2026-11-27T13:20:06Z". */
export function isoUtc(date: Date): string {
  return valid(date) ? `${date.toISOString().slice(0, 19)}Z` : "";
}

/** "27 Nov 2026, 14:20 CET". */
export function formatDateTime(date: Date, zone: Zone): string {
  if (!valid(date)) return "unknown time";
  const f = zone.fields(date);
  return `${f.day} ${monthsShort[f.month - 1]} ${f.year}, ${pad(f.hour)}:${pad(f.minute)} ${zone.abbreviation(date)}`;
}

/** The day of `date` in the zone, YYYY-MM-DD. */
export function dayKey(date: Date, zone: Zone): string {
  if (!valid(date)) return "0000-00-00";
  const f = zone.fields(date);
  return `${String(f.year).padStart(4, "0")}-${pad(f.month)}-${pad(f.day)}`;
}

/** The month of `date` in the zone as a month number (year × 12 + month − 1). */
export function monthNumber(date: Date, zone: Zone): number {
  if (!valid(date)) return 0;
  const f = zone.fields(date);
  return f.year * 12 + f.month - 1;
}

/** "November 2026" for a month number. */
export function formatMonth(month: number): string {
  return `${monthsLong[((month % 12) + 12) % 12]} ${Math.floor(month / 12)}`;
}

const dayPattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "27 Nov 2026" for "2026-11-27"; anything else comes back as it is (and is escaped by the caller). */
export function formatDay(key: string): string {
  const match = dayPattern.exec(key);
  const month = match ? monthsShort[Number(match[2]) - 1] : undefined;
  if (!match || month === undefined) return key;
  return `${Number(match[3])} ${month} ${match[1]}`;
}

/** The day `days` days after (or before) the YYYY-MM-DD day `key`. */
export function addDays(key: string, days: number): string {
  const match = dayPattern.exec(key);
  if (!match) return key;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + days));
  return date.toISOString().slice(0, 10);
}

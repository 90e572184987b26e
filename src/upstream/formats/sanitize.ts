/**
 * The defensive helpers every feed format shares: a feed's body is someone else's text, so whatever reaches the rest of
 * Vigil from it goes through here first.
 *
 * - Text: `plainText` reads HTML (tags dropped, script/style and the like dropped with their content, whitespace
 *   collapsed) and `cleanText` reads text that is already plain (control characters dropped, whitespace collapsed);
 *   both cap the length. The result is text, not HTML: whoever shows it escapes it.
 * - Links: `httpLink` keeps only absolute http(s) URLs without credentials (relative ones resolved against the feed's
 *   URL); `javascript:`, `data:` and the rest become null.
 * - Dates: `parseDate` reads ISO 8601, RFC 822 (RSS) and epoch seconds or milliseconds, and nothing else; `pickDate`
 *   applies the records' date rule: a record **without** a date is dated `now` (ParseContext.now); a record whose date
 *   is **present but unreadable** is an odd record and is skipped (undefined).
 */
import sanitizeHtml from "sanitize-html";

/** Titles and names at most (characters). */
export const maxTitle = 300;
/** Plain text (an update, a description) at most (characters). */
export const maxText = 2_000;
/** Incidents, maintenances and feed items kept at most: the newest. */
export const maxItems = 200;
/** Components kept at most, in the feed's order. */
export const maxComponents = 1_000;
/** Ids at most (characters). */
export const maxId = 500;
/** URLs at most (characters); a longer one is dropped. */
export const maxUrl = 2_000;
/** HTML read at most per field (characters): enough for `maxText` of text, and bounds the sanitiser's work. */
const maxHtml = 100_000;

/** C0 and C1 controls and bidirectional overrides; whitespace controls (tab, newlines, form feed) are collapsed instead. */
const controls = /[\u0000-\u0008\u000E-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** `text` cut to at most `max` characters, ending in "…" when cut (never in half a surrogate pair). */
export function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end).trimEnd()}…`;
}

/** Plain text as one line: controls dropped, runs of whitespace made one space, trimmed, capped at `max`. */
export function cleanText(value: unknown, max: number = maxTitle): string {
  if (typeof value !== "string" && typeof value !== "number") return "";
  const text = String(value).slice(0, maxHtml).replace(controls, "").replace(/\s+/g, " ").trim();
  return cap(text, max);
}

/** Tags after which a reader sees a break: a space is put before them so "<p>a</p><p>b</p>" reads "a b", not "ab". */
const blockTag = /<(\/?)(p|br|div|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|pre|hr|section|article|header|footer|dd|dt)\b/gi;

const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: [],
  allowedAttributes: {},
  // Dropped with their content, not just their tags.
  nonTextTags: ["script", "style", "textarea", "option", "noscript", "xmp", "template", "iframe", "object", "title", "head"],
  disallowedTagsMode: "discard",
};

/** What sanitize-html escapes in the text it writes, read back: the result is text, not HTML. */
const sanitizerEscapes: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };

/**
 * Plain text from HTML: tags dropped (script, style and similar with their content), entities decoded, whitespace
 * collapsed, capped at `max` (2,000 by default).
 */
export function plainText(html: unknown, max: number = maxText): string {
  if (typeof html !== "string" || html === "") return "";
  // Without markup or entities there is nothing for the sanitiser to do.
  if (!/[<&]/.test(html)) return cleanText(html, max);
  const spaced = html.slice(0, maxHtml).replace(blockTag, " <$1$2");
  const text = sanitizeHtml(spaced, sanitizeOptions).replace(/&(?:amp|lt|gt|quot|#39);/g, (m) => sanitizerEscapes[m] ?? m);
  return cleanText(text, max);
}

/**
 * An absolute http(s) URL, or null: `value` trimmed, resolved against `base` when relative, and kept only when its
 * scheme is http or https, it carries no user name or password (`https://status.aws@evil.example` is dropped) and it is
 * at most `maxUrl` long.
 */
export function httpLink(value: unknown, base?: string): string | null {
  if (typeof value !== "string") return null;
  const text = value.trim();
  if (text === "" || text.length > maxUrl) return null;
  let url: URL;
  try {
    url = base !== undefined && URL.canParse(base) ? new URL(text, base) : new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.username !== "" || url.password !== "") return null;
  return url.href.length > maxUrl ? null : url.href;
}

// ---- Dates ----

const months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** RFC 822 / 2822 zone names (and a few common ones feeds use), as minutes east of UTC. */
const zones: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  cet: 60, cest: 120, eet: 120, eest: 180, jst: 540,
};

const rfc822 =
  /^(?:[a-z]{3,9},?\s+)?(\d{1,2})\s+([a-z]{3,9})\.?\s+(\d{4}|\d{2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([a-z]{1,5}|[+-]\d{4}|[+-]\d{2}:\d{2}))?$/i;

const iso8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** A date from its UTC parts, or undefined when a part is out of range (31 February, 25:00). */
function utc(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number, offsetMinutes: number): Date | undefined {
  if (month < 0 || month > 11 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const local = Date.UTC(year, month, day, hour, minute, Math.min(second, 59), ms);
  if (new Date(local).getUTCDate() !== day) return undefined;
  return valid(new Date(local - offsetMinutes * 60_000));
}

/** Minutes east of UTC of `+hh:mm`, `+hhmm`, `+hh`; 0 for Z or none; undefined for an unknown name. */
function offsetOf(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === "") return 0;
  const numeric = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (numeric) {
    const minutes = Number(numeric[2]) * 60 + Number(numeric[3] ?? 0);
    return numeric[1] === "-" ? -minutes : minutes;
  }
  // An unknown zone name is read as UTC (RFC 2822 says so for the military letters): hours off at worst, not lost.
  const name = zone.toLowerCase();
  if (Object.hasOwn(zones, name)) return zones[name];
  return /^[a-z]{1,5}$/i.test(zone) ? 0 : undefined;
}

/** Dates Vigil accepts: 1970 to 9999. */
function valid(date: Date): Date | undefined {
  const t = date.getTime();
  return Number.isFinite(t) && t >= 0 && t < 253_402_300_800_000 ? date : undefined;
}

function fromEpoch(n: number): Date | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined;
  // Below 10^11 it is seconds (10^11 s is the year 5138; 10^11 ms is 1973).
  return valid(new Date(n < 1e11 ? Math.round(n * 1000) : Math.round(n)));
}

/**
 * A date from a feed, or undefined when `value` is not one: a valid Date; a number or numeric string of epoch seconds
 * (below 10^11) or milliseconds; ISO 8601 (`2026-11-27T13:20:06Z`, `…+01:00`, `…+0100`, a space for the T, no zone =
 * UTC, a date alone = its UTC midnight); or RFC 822 as RSS writes it (`Fri, 27 Nov 2026 13:25:00 +0000`, `… PDT`,
 * two-digit years, an unknown zone name read as UTC). Anything else — including what `Date.parse` would guess at —
 * is undefined.
 */
export function parseDate(value: unknown): Date | undefined {
  if (value instanceof Date) return valid(value);
  if (typeof value === "number") return fromEpoch(value);
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (text.length > 64) return undefined;
  if (/^\d{9,13}(\.\d+)?$/.test(text)) return fromEpoch(Number(text));
  const iso = iso8601.exec(text);
  if (iso) {
    const [, y, mo, d, h, mi, s, frac, zone] = iso;
    const offset = offsetOf(zone);
    if (offset === undefined) return undefined;
    const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
    return utc(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), ms, offset);
  }
  const rfc = rfc822.exec(text);
  if (rfc) {
    const [, d, monthName, y, h, mi, s, zone] = rfc;
    const month = months.indexOf((monthName ?? "").slice(0, 3).toLowerCase());
    const offset = offsetOf(zone);
    if (month < 0 || offset === undefined) return undefined;
    const shortYear = Number(y);
    const year = (y ?? "").length === 2 ? (shortYear < 50 ? 2000 + shortYear : 1900 + shortYear) : shortYear;
    return utc(year, month, Number(d), Number(h), Number(mi), Number(s ?? 0), 0, offset);
  }
  return undefined;
}

/** True when a feed left the field out (absent, null or blank), as opposed to writing something unreadable. */
export function absent(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}

/**
 * A record's date from `candidates`, tried in order: the first readable one; `now` when every candidate is absent (the
 * feed does not date its records); undefined when some are present but none is readable — the record is odd, and the
 * caller skips it.
 */
export function pickDate(candidates: readonly unknown[], now: Date): Date | undefined {
  for (const candidate of candidates) {
    const date = parseDate(candidate);
    if (date) return date;
  }
  return candidates.every(absent) ? now : undefined;
}

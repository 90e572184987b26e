/**
 * The public status page's history feeds: RSS 2.0 (`/history.rss`) and Atom 1.0 (`/history.atom`).
 *
 * One item per published incident and per scheduled maintenance (maintenances are announced work that
 * subscribers want to hear of, as Statuspage's history feeds carry them too; a `category` tells them
 * apart), newest first by creation (ties by id), at most `feedLimit`. An item's description is HTML:
 * the published postmortem, then the updates newest first, each with its status label and time in the
 * page's time zone, then the affected components. Bodies are the view's sanitised HTML.
 *
 * RSS has no "updated" of an item, and feed readers (rss-parser, feedparser, and the apps and chat bots
 * built on them) keep the first copy of an item by its guid and date it by its pubDate. So an RSS item's
 * pubDate is its latest change (the resolution, once resolved), and an incident's guid takes a counter
 * after its first update (`inc_…#2`, `#3`: Vigil's own feed reader and others read such guids as one
 * thread): a reader shows each update, the resolution included, as a new item. Atom says the same with
 * an entry's `updated`, its id staying the same.
 *
 * Output is a pure function of the view: the channel's lastBuildDate / the feed's updated is the latest
 * change to the page or any item in it, not the render time, so an unchanged page renders byte-identical
 * feeds (stable ETags).
 */
import { incidentStatusLabel } from "./html/status.ts";
import type { IncidentView, MaintenanceView, PageView } from "../view/types.ts";
import { cdata, escapeHtml, escapeXml } from "./xml.ts";

/** Items per feed at most. */
export const feedLimit = 50;

type FeedItem =
  | { kind: "incident"; createdAt: Date; id: string; incident: IncidentView }
  | { kind: "maintenance"; createdAt: Date; id: string; maintenance: MaintenanceView };

/** The feed's items, newest first by creation, ties by id, at most `feedLimit`. */
function feedItems(view: PageView): FeedItem[] {
  const items: FeedItem[] = [
    ...view.incidents.map((incident): FeedItem => ({ kind: "incident", createdAt: incident.createdAt, id: incident.id, incident })),
    ...view.maintenances.map((maintenance): FeedItem => ({ kind: "maintenance", createdAt: maintenance.createdAt, id: maintenance.id, maintenance })),
  ];
  items.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return items.slice(0, feedLimit);
}

const itemName = (item: FeedItem): string => (item.kind === "incident" ? item.incident.name : item.maintenance.name);
const itemLink = (item: FeedItem): string => (item.kind === "incident" ? item.incident.shortlink : item.maintenance.shortlink);

/** The latest instant an item changed: its own updatedAt, its updates', its postmortem's publication. */
function itemUpdated(item: FeedItem): Date {
  if (item.kind === "maintenance") return latest([item.maintenance.createdAt, item.maintenance.updatedAt]);
  const i = item.incident;
  return latest([i.createdAt, i.updatedAt, i.postmortemPublishedAt, ...i.updates.flatMap((u) => [u.updatedAt, u.displayAt])]);
}

/**
 * An RSS item's guid: the incident's or maintenance's id, then `#N` once an incident has N > 1 updates (a published
 * postmortem counts as one), so that readers which keep items by guid show the change as a new item.
 */
function rssGuid(item: FeedItem): string {
  if (item.kind === "maintenance") return item.id;
  const changes = item.incident.updates.length + (item.incident.postmortemPublishedAt ? 1 : 0);
  return changes > 1 ? `${item.id}#${changes}` : item.id;
}

/** The feed's last change: the page's or any of its items'. */
function feedUpdated(view: PageView, items: FeedItem[]): Date {
  return latest([view.page.updatedAt, ...items.map(itemUpdated)]);
}

function latest(dates: (Date | null)[]): Date {
  let max = Number.NEGATIVE_INFINITY;
  for (const d of dates) if (d && d.getTime() > max) max = d.getTime();
  return new Date(max);
}

const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

/** An RFC 822 date (as RSS 2.0 wants, four-digit year) in UTC: `Fri, 27 Nov 2026 13:25:00 +0000`. */
export function rfc822(date: Date): string {
  return (
    `${days[date.getUTCDay()]}, ${pad(date.getUTCDate())} ${months[date.getUTCMonth()]} ${pad(date.getUTCFullYear(), 4)} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/** An RFC 3339 date in UTC, as Atom wants: `2026-11-27T13:25:00Z` (milliseconds only when not zero). */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, "Z");
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    const options: Intl.DateTimeFormatOptions = {
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      hourCycle: "h23",
      timeZoneName: "longOffset",
    };
    try {
      f = new Intl.DateTimeFormat("en-US", { ...options, timeZone });
    } catch {
      f = new Intl.DateTimeFormat("en-US", { ...options, timeZone: "UTC" }); // an unknown zone: show UTC
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * `date` in `timeZone` for people: `Nov 27, 2026, 14:25 UTC+01:00`. Assembled from parts with our own
 * month names, so ICU's locale data changes cannot alter the output.
 */
export function humanTime(date: Date, timeZone: string): string {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(date)) parts[p.type] = p.value;
  const offset = (parts.timeZoneName ?? "GMT").replace(/^GMT/, "UTC").replace(/^UTC\+00:00$/, "UTC");
  const month = months[Number(parts.month) - 1] ?? "";
  return `${month} ${Number(parts.day)}, ${parts.year}, ${pad(Number(parts.hour) % 24)}:${parts.minute} ${offset}`;
}

/** An incident or maintenance status for people: `in_progress` → `In progress` (the page's labels). */
export const statusLabel = incidentStatusLabel;

const time = (date: Date, timeZone: string): string =>
  `<time datetime="${rfc3339(date)}">${escapeHtml(humanTime(date, timeZone))}</time>`;

/** A body as HTML: the sanitised HTML, or the text escaped when there is no HTML. */
const bodyHtml = (html: string | null, text: string | null): string =>
  html?.trim() ? html.trim() : text?.trim() ? `<p>${escapeHtml(text.trim())}</p>` : "";

const componentList = (components: { name: string }[]): string => components.map((c) => escapeHtml(c.name)).join(", ");

function incidentHtml(incident: IncidentView, timeZone: string): string {
  const blocks: string[] = [];
  if (incident.postmortemPublishedAt && (incident.postmortemBodyHtml || incident.postmortemBody)) {
    blocks.push(`<p><strong>Postmortem</strong> · <small>${time(incident.postmortemPublishedAt, timeZone)}</small></p>`);
    blocks.push(bodyHtml(incident.postmortemBodyHtml, incident.postmortemBody));
  }
  for (const update of incident.updates) {
    blocks.push(`<p><strong>${escapeHtml(statusLabel(update.status))}</strong> · <small>${time(update.displayAt, timeZone)}</small></p>`);
    blocks.push(bodyHtml(update.bodyHtml, update.body));
  }
  if (incident.components.length > 0) blocks.push(`<p>This incident affected: ${componentList(incident.components)}.</p>`);
  return blocks.filter(Boolean).join("\n");
}

function maintenanceHtml(m: MaintenanceView, timeZone: string): string {
  const blocks = [
    `<p><strong>${escapeHtml(statusLabel(m.status))}</strong> · <small>Scheduled for ${time(m.scheduledFor, timeZone)} until ${time(m.scheduledUntil, timeZone)}</small></p>`,
    bodyHtml(m.bodyHtml, m.body),
  ];
  if (m.components.length > 0) blocks.push(`<p>Components: ${componentList(m.components)}.</p>`);
  return blocks.filter(Boolean).join("\n");
}

const itemHtml = (item: FeedItem, timeZone: string): string =>
  item.kind === "incident" ? incidentHtml(item.incident, timeZone) : maintenanceHtml(item.maintenance, timeZone);

const feedTitle = (view: PageView): string => `${view.page.name} - Incident History`;
const feedDescription = (view: PageView): string =>
  view.page.description?.trim() || `Incidents and scheduled maintenance of ${view.page.name}`;

/** The page's history as RSS 2.0, with an `atom:link rel="self"` to `${url}/history.rss`. */
export function renderRss(view: PageView): string {
  const items = feedItems(view);
  const { url, timeZone } = view.page;
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">`,
    `<channel>`,
    `<title>${escapeXml(feedTitle(view))}</title>`,
    `<link>${escapeXml(url)}</link>`,
    `<description>${escapeXml(feedDescription(view))}</description>`,
    `<lastBuildDate>${rfc822(feedUpdated(view, items))}</lastBuildDate>`,
    `<atom:link href="${escapeXml(`${url}/history.rss`)}" rel="self" type="application/rss+xml"/>`,
    `<generator>Vigil</generator>`,
  ];
  for (const item of items) {
    lines.push(
      `<item>`,
      `<title>${escapeXml(itemName(item))}</title>`,
      `<link>${escapeXml(itemLink(item))}</link>`,
      `<guid isPermaLink="false">${escapeXml(rssGuid(item))}</guid>`,
      `<pubDate>${rfc822(itemUpdated(item))}</pubDate>`,
      `<category>${item.kind}</category>`,
      `<description>${cdata(itemHtml(item, timeZone))}</description>`,
      `</item>`,
    );
  }
  lines.push(`</channel>`, `</rss>`);
  return `${lines.join("\n")}\n`;
}

/**
 * The page's history as Atom 1.0: feed id `${url}/`, links self (`${url}/history.atom`) and alternate
 * (the page); an entry's id is its shortlink (a permanent, unique URL on the page), its content the
 * same HTML as the RSS description, escaped, with type="html".
 */
export function renderAtom(view: PageView): string {
  const items = feedItems(view);
  const { url, timeZone, name } = view.page;
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">`,
    `<id>${escapeXml(`${url}/`)}</id>`,
    `<title>${escapeXml(feedTitle(view))}</title>`,
    `<subtitle>${escapeXml(feedDescription(view))}</subtitle>`,
    `<updated>${rfc3339(feedUpdated(view, items))}</updated>`,
    `<link rel="self" type="application/atom+xml" href="${escapeXml(`${url}/history.atom`)}"/>`,
    `<link rel="alternate" type="text/html" href="${escapeXml(url)}"/>`,
    `<author><name>${escapeXml(name)}</name><uri>${escapeXml(url)}</uri></author>`,
    `<generator>Vigil</generator>`,
  ];
  for (const item of items) {
    lines.push(
      `<entry>`,
      `<id>${escapeXml(itemLink(item))}</id>`,
      `<title>${escapeXml(itemName(item))}</title>`,
      `<published>${rfc3339(item.createdAt)}</published>`,
      `<updated>${rfc3339(itemUpdated(item))}</updated>`,
      `<link rel="alternate" type="text/html" href="${escapeXml(itemLink(item))}"/>`,
      `<category term="${item.kind}"/>`,
      `<content type="html">${escapeXml(itemHtml(item, timeZone))}</content>`,
      `</entry>`,
    );
  }
  lines.push(`</feed>`);
  return `${lines.join("\n")}\n`;
}

/**
 * What RSS and Atom share: both are lists of items about one service (a provider publishes one feed per service and
 * region, such as AWS's "Amazon RDS (Oregon)"), read by the same rules once each format has turned its items into
 * `FeedItem`s.
 *
 * The rules:
 * - items last updated more than `max_age` (24 h by default) before now are dropped; of the rest the newest
 *   `maxItems` (200) are kept;
 * - items of one incident are read together (a *thread*): items with the same guid, or whose guids differ only by an
 *   update counter (`…#2`, `…#update-3`), or whose titles are the same once status words are taken off
 *   ("Service is operating normally: [RESOLVED] Increased error rates" and "Informational message: Increased error
 *   rates" are one thread). A thread is one UpstreamIncident, with the id of its oldest item, the title, text and link
 *   of its newest, started at its oldest item and updated at its newest;
 * - a thread is resolved when its newest item's title or text matches `resolved_pattern` (so a later "[RESOLVED]"
 *   item resolves the earlier ones, and a later item that does not match reopens it); open threads are
 *   "investigating" (a feed does not say more);
 * - impact is guessed from the newest item's title and text: "major" when it speaks of an outage, unavailability or a
 *   disruption, else "minor";
 * - items categorised `maintenance` (as Vigil's own history feeds mark them) are maintenances, not incidents, their
 *   status read from the first status label in their text (Scheduled, In progress, Verifying, Completed);
 * - the feed is one component, named by the config's `component`, else the feed's title, else the feed's host; its
 *   status is the worst of its open incidents' impacts (none open: operational; minor: degraded_performance;
 *   major: partial_outage; critical: major_outage) — or under_maintenance when no incident is open and a maintenance
 *   is in progress or verifying;
 * - dates: an item without any date is dated now (ParseContext.now); one whose date is written but unreadable is
 *   skipped. The resolved pattern is a plain JavaScript RegExp without flags (the default is case-sensitive, as given).
 */
import type * as z from "zod";
import { httpUrl, positiveDuration, scalar, strictMap, text } from "../../config/fields.ts";
import type { FeedSnapshot, ParseContext, UpstreamIncident, UpstreamMaintenance, UpstreamStatus } from "../types.ts";
import { cap, cleanText, maxId, maxItems, maxTitle, pickDate } from "./sanitize.ts";

/** What counts as resolved when the config does not say: AWS's "[RESOLVED]", "Service is operating normally", "resolved". */
export const defaultResolvedPattern = "RESOLVED|resolved|operating normally";

/** How old an item may be (last updated) and still count, by default: 24 hours. */
export const defaultMaxAgeMs = 86_400_000;

/** A regular expression (JavaScript syntax, no flags), compiled at load so a typo is a config error. */
export const regexPattern = scalar("expected a regular expression such as RESOLVED|resolved", (value) => {
  if (typeof value !== "string" || value === "" || value.length > 1_000) return undefined;
  try {
    return new RegExp(value);
  } catch {
    return undefined;
  }
});

/** The keys of an `rss` or `atom` feed. */
export const ItemFeedConfig = strictMap({
  /** The feed's URL. */
  url: httpUrl,
  /** The component the feed is about, e.g. "Amazon RDS (Oregon)"; default: the feed's title. */
  component: text.optional(),
  /** A regular expression an item's title or text matches when it reports the incident resolved. */
  resolved_pattern: regexPattern.default(new RegExp(defaultResolvedPattern)),
  /** Items last updated longer ago than this are dropped (default 24h). */
  max_age: positiveDuration.default(defaultMaxAgeMs),
});
/** A validated `rss` or `atom` feed configuration. */
export type ItemFeedConfig = z.output<typeof ItemFeedConfig>;

/** One item of a feed, as its format read it: text already plain, link already checked. */
export interface FeedItem {
  /** The guid (RSS) or id (Atom); else the link; else the title. */
  key: string;
  title: string;
  /** Plain text of the description / content / summary. */
  text: string;
  url: string | null;
  publishedAt: Date;
  updatedAt: Date;
  /** Categorised `maintenance`. */
  maintenance: boolean;
}

/** A feed as its format read it: its title and its items (those it could read; odd ones already skipped). */
export interface FeedDocument {
  title: string;
  items: FeedItem[];
}

/** The fields of an item before the shared checks; undefined dates mean the item had unreadable ones. */
export interface RawItem {
  key: string | undefined;
  title: string;
  text: string;
  url: string | null;
  published: readonly unknown[];
  updated: readonly unknown[];
  maintenance: boolean;
}

/**
 * A FeedItem from what a format read, or undefined for an odd item (skipped): one with neither title nor text, or with
 * a date written but unreadable. An item without any date is dated now; without a title, its text stands for it.
 */
export function feedItem(raw: RawItem, now: Date): FeedItem | undefined {
  if (raw.title === "" && raw.text === "") return undefined;
  const publishedAt = pickDate([...raw.published, ...raw.updated], now);
  const updatedAt = pickDate([...raw.updated, ...raw.published], now);
  if (publishedAt === undefined || updatedAt === undefined) return undefined;
  const title = raw.title !== "" ? raw.title : cap(raw.text, maxTitle);
  const key = cleanText(raw.key, maxId) || raw.url || title;
  return { key, title, text: raw.text, url: raw.url, publishedAt, updatedAt: updatedAt < publishedAt ? publishedAt : updatedAt, maintenance: raw.maintenance };
}

// ---- Threads ----

/** Status words a provider puts before an incident's title, taken off to tell which items are one incident. */
const statusPrefix =
  /^(?:service is operating normally|informational message|performance issues?|service disruption|service degradation|service impact|resolved|update|updated|investigating|identified|monitoring|scheduled|completed)\s*[:|–—-]\s*/;

/** An item's title as a thread key: lower case, without bracketed tags ("[RESOLVED]") and status prefixes. */
export function titleKey(title: string): string {
  let key = title.toLowerCase().replace(/\[[^\]]{0,40}\]/g, " ").replace(/\s+/g, " ").trim();
  for (let i = 0; i < 3; i++) key = key.replace(statusPrefix, "").trim();
  return key;
}

/** A guid without a trailing update counter (`…#2`, `…#update-3`). */
export function guidBase(key: string): string {
  return key.replace(/#(?:update-?)?\d{1,6}$/i, "");
}

/** Groups items (oldest first) into threads by guid base or title key, each thread oldest first. */
function threads(items: readonly FeedItem[]): FeedItem[][] {
  const parent = items.map((_, i) => i);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root] ?? root;
    return root;
  };
  const owner = new Map<string, number>();
  items.forEach((item, i) => {
    const title = titleKey(item.title);
    for (const key of [`g:${guidBase(item.key)}`, ...(title === "" ? [] : [`t:${title}`])]) {
      const other = owner.get(key);
      if (other === undefined) owner.set(key, i);
      else parent[find(i)] = find(other);
    }
  });
  const groups = new Map<number, FeedItem[]>();
  items.forEach((item, i) => {
    const root = find(i);
    const group = groups.get(root) ?? [];
    group.push(item);
    groups.set(root, group);
  });
  return [...groups.values()];
}

// ---- Statuses ----

const majorWords = /\b(?:outages?|unavailable|unavailability|disruptions?|disrupted|inaccessible|unreachable)\b/i;

/** An incident's impact guessed from its words: "major" for an outage, unavailability or disruption, else "minor". */
export function guessImpact(words: string): "major" | "minor" {
  return majorWords.test(words) ? "major" : "minor";
}

const impactStatus: Record<string, UpstreamStatus> = {
  none: "operational",
  minor: "degraded_performance",
  major: "partial_outage",
  critical: "major_outage",
};
const statusRank: Record<UpstreamStatus, number> = { operational: 0, under_maintenance: 1, degraded_performance: 2, partial_outage: 3, major_outage: 4 };

/** The component status open incidents of these impacts mean: the worst of them, operational for none. */
export function statusOfImpacts(impacts: readonly string[]): UpstreamStatus {
  let worst: UpstreamStatus = "operational";
  for (const impact of impacts) {
    const status = Object.hasOwn(impactStatus, impact) ? (impactStatus[impact] as UpstreamStatus) : "degraded_performance";
    if (statusRank[status] > statusRank[worst]) worst = status;
  }
  return worst;
}

const maintenanceLabels: [RegExp, string][] = [
  [/\bscheduled\b/i, "scheduled"],
  [/\bin[ _]progress\b/i, "in_progress"],
  [/\bverifying\b/i, "verifying"],
  [/\bcompleted\b/i, "completed"],
];

/** A maintenance's status from its text: the first status label in it (feeds list the newest update first). */
export function maintenanceStatus(text: string): string {
  let best = { index: Number.POSITIVE_INFINITY, status: "scheduled" };
  for (const [pattern, status] of maintenanceLabels) {
    const index = text.search(pattern);
    if (index >= 0 && index < best.index) best = { index, status };
  }
  return best.status;
}

// ---- The snapshot ----

const newestFirst = (a: FeedItem, b: FeedItem): number => b.updatedAt.getTime() - a.updatedAt.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** The component's name: the config's, else the feed's title, else the feed URL's host. */
function componentName(doc: FeedDocument, config: ItemFeedConfig, ctx: ParseContext): string {
  const named = cleanText(config.component ?? "", maxTitle) || doc.title;
  if (named !== "") return named;
  return URL.canParse(ctx.url) ? new URL(ctx.url).host : "feed";
}

function incidentOf(thread: readonly FeedItem[], config: ItemFeedConfig, component: string): UpstreamIncident {
  const oldest = thread[0] as FeedItem;
  const newest = thread[thread.length - 1] as FeedItem;
  const resolved = config.resolved_pattern.test(newest.title) || config.resolved_pattern.test(newest.text);
  const startedAt = thread.reduce((min, i) => (i.publishedAt < min ? i.publishedAt : min), oldest.publishedAt);
  return {
    id: oldest.key,
    title: newest.title,
    status: resolved ? "resolved" : "investigating",
    impact: guessImpact(`${newest.title} ${newest.text}`),
    url: newest.url ?? [...thread].reverse().find((i) => i.url !== null)?.url ?? null,
    startedAt,
    updatedAt: newest.updatedAt,
    resolvedAt: resolved ? newest.updatedAt : null,
    text: newest.text,
    components: [component],
  };
}

function maintenanceOf(item: FeedItem, component: string): UpstreamMaintenance {
  return { id: item.key, title: item.title, status: maintenanceStatus(item.text), url: item.url, scheduledFor: null, scheduledUntil: null, components: [component] };
}

/** The snapshot of a feed's items by the rules above. */
export function itemsSnapshot(doc: FeedDocument, config: ItemFeedConfig, ctx: ParseContext): FeedSnapshot {
  const cutoff = ctx.now.getTime() - config.max_age;
  const recent = doc.items.filter((i) => i.updatedAt.getTime() >= cutoff).sort(newestFirst).slice(0, maxItems);
  const component = componentName(doc, config, ctx);
  const oldestFirst = [...recent].reverse();
  const incidents = threads(oldestFirst.filter((i) => !i.maintenance))
    .map((thread) => incidentOf(thread, config, component))
    .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const maintenances = recent.filter((i) => i.maintenance).map((i) => maintenanceOf(i, component));
  const open = incidents.filter((i) => i.status !== "resolved");
  const maintenanceNow = maintenances.some((m) => m.status === "in_progress" || m.status === "verifying");
  const fromIncidents = statusOfImpacts(open.map((i) => i.impact));
  const status: UpstreamStatus = fromIncidents === "operational" && maintenanceNow ? "under_maintenance" : fromIncidents;
  return { components: [{ id: component, name: component, group: null, status }], incidents, maintenances };
}

/**
 * `statuspage`: a page hosted by Atlassian Statuspage (or anything serving its public API v2, such as Vigil), read
 * from `/api/v2/summary.json` — the page's components, its unresolved incidents, and its upcoming and active
 * scheduled maintenances, in one document.
 *
 * Reading it:
 * - `components` is required (a body without it is not a summary: FeedParseError); `incidents` and
 *   `scheduled_maintenances` are read as none when absent;
 * - group rows (`group: true`) are not components: their names become the `group` of the rows whose `group_id`
 *   points at them;
 * - statuses keep Statuspage's words. A component status Vigil does not know is read as `degraded_performance`
 *   (something is reported that is not "operational", and it is not known to be an outage); an unknown incident
 *   status as `investigating` (open), an unknown impact as `minor`, an unknown maintenance status as `scheduled`;
 * - an incident's text is its newest update's body (`incident_updates[0]`, Statuspage lists them newest first),
 *   markup dropped; its `url` is its shortlink when http(s), else `<page url>/incidents/<id>`;
 * - dates: `started_at` (else `created_at`); a record without any date is dated now, a record with an unreadable one is
 *   skipped;
 * - one odd record (no id, no name, a missing status, not an object) is skipped, never the whole feed. At most
 *   `maxComponents` components and the newest `maxItems` incidents and maintenances are kept.
 */
import * as z from "zod";
import { httpUrl, strictMap } from "../../config/fields.ts";
import type { FeedFormat, FeedSnapshot, ParseContext, UpstreamComponent, UpstreamIncident, UpstreamMaintenance, UpstreamStatus } from "../types.ts";
import { FeedParseError } from "../types.ts";
import { readJson } from "./read.ts";
import { absent, cleanText, httpLink, maxComponents, maxId, maxItems, maxTitle, parseDate, pickDate, plainText } from "./sanitize.ts";
import { withoutTrailingSlashes } from "../../core/text.ts";

/** The keys of a `statuspage` feed. */
export const StatuspageConfig = strictMap({
  /** The page's URL (`https://www.githubstatus.com`), or its summary's (`…/api/v2/summary.json`). */
  url: httpUrl,
});
/** A validated `statuspage` feed configuration. */
export type StatuspageConfig = z.output<typeof StatuspageConfig>;

/** Statuspage's component statuses, which are Vigil's UpstreamStatus. */
export const upstreamStatuses = ["operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"] as const satisfies readonly UpstreamStatus[];
const incidentStatuses = new Set(["investigating", "identified", "monitoring", "resolved", "postmortem"]);
const impacts = new Set(["none", "minor", "major", "critical"]);
const maintenanceStatuses = new Set(["scheduled", "in_progress", "verifying", "completed"]);

/** A component status in Vigil's words: a known one as is, any other text `degraded_performance` (see above). */
export function componentStatus(value: string): UpstreamStatus {
  return (upstreamStatuses as readonly string[]).includes(value) ? (value as UpstreamStatus) : "degraded_performance";
}

/**
 * The summary URL of a page: `<url>/api/v2/summary.json`, the query kept, the fragment dropped. A URL already under
 * `/api/v2/` (any of its documents) is pointed at summary.json.
 */
export function summaryUrl(pageUrl: string): string {
  const url = new URL(pageUrl);
  url.hash = "";
  const path = withoutTrailingSlashes(url.pathname.replace(/\/api\/v2(?:\/.*)?$/, ""));
  url.pathname = `${path}/api/v2/summary.json`;
  return url.href;
}

/** The page's own URL, for incident links without a shortlink: the document's `page.url`, else the feed's URL's page. */
function pageBase(doc: Record<string, unknown>, ctx: ParseContext): string | null {
  const page = doc.page;
  const fromDoc = typeof page === "object" && page !== null ? httpLink((page as Record<string, unknown>).url) : null;
  if (fromDoc !== null) return withoutTrailingSlashes(fromDoc);
  if (!URL.canParse(ctx.url)) return null;
  const url = new URL(ctx.url);
  url.search = "";
  url.hash = "";
  url.pathname = url.pathname.replace(/\/api\/v2(?:\/.*)?$/, "");
  return withoutTrailingSlashes(url.href);
}

// Loose record shapes: unknown keys ignored, each record checked on its own so one odd one is skipped.
const idText = z.union([z.string().min(1), z.number()]).transform(String);
const row = z.object({
  id: idText,
  name: z.string(),
  status: z.string().min(1).optional(),
  group: z.boolean().nullish(),
  group_id: z.union([z.string(), z.number()]).nullish(),
});
const named = z.object({ name: z.string() });
const update = z.object({ body: z.string().nullish() });
const incident = z.object({
  id: idText,
  name: z.string(),
  status: z.string().nullish(),
  impact: z.string().nullish(),
  shortlink: z.string().nullish(),
  created_at: z.unknown().optional(),
  started_at: z.unknown().optional(),
  updated_at: z.unknown().optional(),
  resolved_at: z.unknown().optional(),
  scheduled_for: z.unknown().optional(),
  scheduled_until: z.unknown().optional(),
  incident_updates: z.array(z.unknown()).nullish(),
  components: z.array(z.unknown()).nullish(),
});
type IncidentRecord = z.output<typeof incident>;

/** The array at `key`: [] when absent or null, FeedParseError when it is something else. */
function arrayAt(doc: Record<string, unknown>, key: string, required: boolean): unknown[] {
  const value = doc[key];
  if (Array.isArray(value)) return value;
  if (value === undefined || value === null) {
    if (required) throw new FeedParseError(`expected Statuspage's summary.json, but the JSON has no "${key}" array`);
    return [];
  }
  throw new FeedParseError(`expected Statuspage's summary.json, but "${key}" is not an array`);
}

function components(rows: readonly unknown[]): UpstreamComponent[] {
  const parsed = rows.map((r) => row.safeParse(r)).flatMap((r) => (r.success ? [r.data] : []));
  const groups = new Map(parsed.filter((r) => r.group === true).map((r) => [r.id, cleanText(r.name, maxTitle)]));
  const out: UpstreamComponent[] = [];
  for (const r of parsed) {
    if (r.group === true || r.status === undefined) continue;
    const name = cleanText(r.name, maxTitle);
    if (name === "") continue;
    const group = r.group_id === null || r.group_id === undefined ? null : (groups.get(String(r.group_id)) ?? null);
    out.push({ id: cleanText(r.id, maxId), name, group, status: componentStatus(r.status) });
    if (out.length >= maxComponents) break;
  }
  return out;
}

function componentNames(list: readonly unknown[] | null | undefined): string[] {
  return (list ?? []).flatMap((c) => {
    const r = named.safeParse(c);
    const name = r.success ? cleanText(r.data.name, maxTitle) : "";
    return name === "" ? [] : [name];
  });
}

function link(record: IncidentRecord, base: string | null): string | null {
  return httpLink(record.shortlink) ?? (base === null ? null : httpLink(`${base}/incidents/${encodeURIComponent(record.id)}`));
}

/** A date that may be absent (null) but, when written, must be readable (else undefined: the record is odd). */
function optionalDate(value: unknown): Date | null | undefined {
  return absent(value) ? null : parseDate(value);
}

function incidentOf(record: IncidentRecord, base: string | null, ctx: ParseContext): UpstreamIncident | undefined {
  const title = cleanText(record.name, maxTitle);
  const startedAt = pickDate([record.started_at, record.created_at], ctx.now);
  const updatedAt = pickDate([record.updated_at], startedAt ?? ctx.now);
  const resolvedAt = optionalDate(record.resolved_at);
  if (title === "" || startedAt === undefined || updatedAt === undefined || resolvedAt === undefined) return undefined;
  const latest = update.safeParse(record.incident_updates?.[0]);
  const status = record.status ?? "";
  const impact = record.impact ?? "";
  return {
    id: cleanText(record.id, maxId),
    title,
    status: incidentStatuses.has(status) ? status : "investigating",
    impact: impacts.has(impact) ? impact : "minor",
    url: link(record, base),
    startedAt,
    updatedAt,
    resolvedAt,
    text: latest.success ? plainText(latest.data.body ?? "") : "",
    components: componentNames(record.components),
  };
}

function maintenanceOf(record: IncidentRecord, base: string | null): UpstreamMaintenance | undefined {
  const title = cleanText(record.name, maxTitle);
  const scheduledFor = optionalDate(record.scheduled_for);
  const scheduledUntil = optionalDate(record.scheduled_until);
  if (title === "" || scheduledFor === undefined || scheduledUntil === undefined) return undefined;
  const status = record.status ?? "";
  return {
    id: cleanText(record.id, maxId),
    title,
    status: maintenanceStatuses.has(status) ? status : "scheduled",
    url: link(record, base),
    scheduledFor,
    scheduledUntil,
    components: componentNames(record.components),
  };
}

function records(list: readonly unknown[]): IncidentRecord[] {
  return list.map((r) => incident.safeParse(r)).flatMap((r) => (r.success ? [r.data] : []));
}

/** The snapshot of a Statuspage v2 summary.json body (also used by the `vigil` format). */
export function parseSummary(body: string, ctx: ParseContext): FeedSnapshot {
  const doc = readJson(body, "Statuspage's summary.json");
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new FeedParseError(`expected Statuspage's summary.json (a JSON object), got ${Array.isArray(doc) ? "an array" : `a ${doc === null ? "null" : typeof doc}`}`);
  }
  const summary = doc as Record<string, unknown>;
  const base = pageBase(summary, ctx);
  const rows = arrayAt(summary, "components", true);
  const incidents = records(arrayAt(summary, "incidents", false))
    .map((r) => incidentOf(r, base, ctx))
    .filter((i): i is UpstreamIncident => i !== undefined)
    .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())
    .slice(0, maxItems);
  const maintenances = records(arrayAt(summary, "scheduled_maintenances", false))
    .map((r) => maintenanceOf(r, base))
    .filter((m): m is UpstreamMaintenance => m !== undefined)
    .sort((a, b) => (b.scheduledFor?.getTime() ?? 0) - (a.scheduledFor?.getTime() ?? 0))
    .slice(0, maxItems);
  return { components: components(rows), incidents, maintenances };
}

/** Reads a Statuspage page's summary.json. */
export const statuspageFormat: FeedFormat<StatuspageConfig> = {
  type: "statuspage",
  configSchema: StatuspageConfig,
  url: (config) => summaryUrl(config.url),
  accept: "application/json",
  parse: (body, _config, ctx) => parseSummary(body, ctx),
};

/**
 * `json`: any JSON endpoint, read through JSONPaths from the config: where the components are and, in each, its name
 * and status; where the incidents are and, in each, its id, title and the rest.
 *
 * JSONPath (jsonpath-plus) is evaluated with `eval: false`: filters (`[?(…)]`) and script expressions (`[(…)]`) are
 * refused when the config is loaded, and could not run anyway. `path` is absolute (`$.components`) and finds the list:
 * an array (`$.components`) or the values a wildcard matches (`$.regions[*].services[*]`); the other paths are
 * relative to each record (`$.name`), and the first value they match is used.
 *
 * Reading it:
 * - a `path` that matches nothing is a FeedParseError naming it (the body is not what the config describes); one whose
 *   value is null reads as an empty list;
 * - a record that is not an object, or lacks a required field (component: name, status; incident: id, title), is
 *   skipped; at most 10,000 records are looked at per list;
 * - a component status: the `status_map` entry for the value (compared as text, so `true` and `1` can be mapped), else
 *   the value itself when it is one of Vigil's statuses, else `degraded_performance` (as for `statuspage`);
 * - an incident is resolved when `resolved_when.path`'s value equals one of `resolved_when.equals` or, without
 *   `equals`, is present and not false, 0, "" or null; without `resolved_when`, when its `status` is resolved or
 *   postmortem. Its status is the value of `status` when that is one of Statuspage's words, else resolved or
 *   investigating; its impact the value of `impact` when one of none/minor/major/critical, else guessed from its words;
 * - dates are ISO 8601, RFC 822 or epoch seconds/milliseconds; an incident without `started_at` is dated now, one with
 *   an unreadable date is skipped; `updated_at` defaults to the start; a resolved incident's resolvedAt is the
 *   `resolved_when` value when that is a date (an `ended_at`), else its updatedAt.
 */
import { JSONPath } from "jsonpath-plus";
import * as z from "zod";
import { httpUrl, scalar, strictMap } from "../../config/fields.ts";
import type { FeedFormat, FeedSnapshot, ParseContext, UpstreamComponent, UpstreamIncident, UpstreamStatus } from "../types.ts";
import { FeedParseError } from "../types.ts";
import { guessImpact } from "./items.ts";
import { readJson } from "./read.ts";
import { componentStatus, upstreamStatuses } from "./statuspage.ts";
import { absent, cleanText, httpLink, maxComponents, maxId, maxItems, maxTitle, parseDate, pickDate, plainText } from "./sanitize.ts";

/** Records looked at per list at most. */
const maxRecords = 10_000;

/** True when a JSONPath parses and holds no filter or script expression (which `eval: false` could not run). */
export function isSafeJsonPath(path: string): boolean {
  if (!path.startsWith("$") || path.length > 500) return false;
  try {
    return JSONPath.toPathArray(path).every((segment) => !/^\??\(/.test(segment));
  } catch {
    return false;
  }
}

/** A JSONPath such as `$.components` or `$.name`, without filters or script expressions. */
export const jsonPath = scalar("expected a JSONPath such as $.components (without filters or script expressions)", (value) =>
  typeof value === "string" && isSafeJsonPath(value) ? value : undefined,
);

const scalarValue = z.union([z.string(), z.number(), z.boolean()]);

/** Where the components are, and what to read in each. */
export const JsonComponents = strictMap({
  /** The list: `$.components`, `$.services[*]`. */
  path: jsonPath,
  /** In each record: the name. */
  name: jsonPath,
  /** In each record: the status. */
  status: jsonPath,
  /** In each record: the id (default: the name). */
  id: jsonPath.optional(),
  /** In each record: the group. */
  group: jsonPath.optional(),
  /** Their status value → Vigil's status, e.g. `{ ok: operational, degraded: degraded_performance, down: major_outage }`. */
  status_map: z.record(z.string(), z.enum(upstreamStatuses)).optional(),
});

/** Where the incidents are, and what to read in each. */
export const JsonIncidents = strictMap({
  path: jsonPath,
  id: jsonPath,
  title: jsonPath,
  status: jsonPath.optional(),
  /** none, minor, major or critical; default: guessed from the title and text. */
  impact: jsonPath.optional(),
  started_at: jsonPath.optional(),
  /** Default: started_at. */
  updated_at: jsonPath.optional(),
  url: jsonPath.optional(),
  text: jsonPath.optional(),
  /** When an incident counts as resolved (see above). */
  resolved_when: strictMap({ path: jsonPath, equals: z.union([scalarValue, z.array(scalarValue).min(1)]).optional() }).optional(),
});

/** The keys of a `json` feed. */
export const JsonConfig = strictMap({
  url: httpUrl,
  components: JsonComponents.optional(),
  incidents: JsonIncidents.optional(),
}).superRefine((config, ctx) => {
  if (config.components === undefined && config.incidents === undefined) {
    ctx.addIssue({ code: "custom", message: "needs components or incidents (or both): what to read in the JSON" });
  }
});
/** A validated `json` feed configuration. */
export type JsonConfig = z.output<typeof JsonConfig>;

// ---- Evaluating paths ----

/** Every value `path` matches in `json`; eval is off, so no part of a path is ever run as code. */
function evaluate(path: string, json: unknown): unknown[] {
  const out: unknown = JSONPath({ path, json: json as object, eval: false, wrap: true });
  return Array.isArray(out) ? out : [];
}

/** The first value `path` matches in a record, or undefined (also when it cannot be evaluated). */
function field(path: string | undefined, record: object): unknown {
  if (path === undefined) return undefined;
  try {
    return evaluate(path, record)[0];
  } catch {
    return undefined;
  }
}

/** The records `key`'s `path` finds in the document (see above); FeedParseError when it finds nothing. */
function recordsAt(key: "components" | "incidents", path: string, doc: unknown): object[] {
  let found: unknown[];
  try {
    found = evaluate(path, doc);
  } catch (error) {
    throw new FeedParseError(`${key}.path ${path} could not be evaluated: ${cleanText(error instanceof Error ? error.message : String(error), 200)}`);
  }
  if (found.length === 0) throw new FeedParseError(`expected ${key} at ${key}.path ${path}, but it matches nothing in the JSON`);
  const list = found.length === 1 && (Array.isArray(found[0]) || found[0] === null) ? ((found[0] as unknown[] | null) ?? []) : found;
  return list.slice(0, maxRecords).filter((r): r is object => typeof r === "object" && r !== null && !Array.isArray(r));
}

const isScalar = (v: unknown): v is string | number | boolean => typeof v === "string" || typeof v === "number" || typeof v === "boolean";

// ---- Components ----

function componentOf(record: object, spec: NonNullable<JsonConfig["components"]>): UpstreamComponent | undefined {
  const name = cleanText(field(spec.name, record), maxTitle);
  const value = field(spec.status, record);
  if (name === "" || !isScalar(value)) return undefined;
  // Own keys only: a status of "constructor" is not a key of every object.
  const map = spec.status_map ?? {};
  const mapped: UpstreamStatus | undefined = Object.hasOwn(map, String(value)) ? map[String(value)] : undefined;
  const id = cleanText(field(spec.id, record), maxId) || name;
  const group = cleanText(field(spec.group, record), maxTitle) || null;
  return { id, name, group, status: mapped ?? componentStatus(String(value)) };
}

// ---- Incidents ----

const incidentStatuses = new Set(["investigating", "identified", "monitoring", "resolved", "postmortem"]);
const impacts = new Set(["none", "minor", "major", "critical"]);

function isResolved(record: object, spec: NonNullable<JsonConfig["incidents"]>, status: string): boolean {
  const rule = spec.resolved_when;
  if (rule === undefined) return status === "resolved" || status === "postmortem";
  const value = field(rule.path, record);
  if (rule.equals === undefined) return !absent(value) && value !== false && value !== 0;
  const wanted = Array.isArray(rule.equals) ? rule.equals : [rule.equals];
  return isScalar(value) && wanted.some((w) => String(w) === String(value));
}

/** Their status in Statuspage's words, agreeing with whether the incident is resolved. */
function statusWord(theirs: string, resolved: boolean): string {
  const closed = theirs === "resolved" || theirs === "postmortem";
  if (resolved) return closed ? theirs : "resolved";
  return incidentStatuses.has(theirs) && !closed ? theirs : "investigating";
}

function incidentOf(record: object, spec: NonNullable<JsonConfig["incidents"]>, ctx: ParseContext): UpstreamIncident | undefined {
  const id = cleanText(field(spec.id, record), maxId);
  const title = cleanText(field(spec.title, record), maxTitle);
  const startedAt = pickDate([field(spec.started_at, record)], ctx.now);
  const updatedAt = pickDate([field(spec.updated_at, record)], startedAt ?? ctx.now);
  if (id === "" || title === "" || startedAt === undefined || updatedAt === undefined) return undefined;
  const theirStatus = cleanText(field(spec.status, record), 40).toLowerCase();
  const resolved = isResolved(record, spec, theirStatus);
  const text = plainText(field(spec.text, record));
  const theirImpact = cleanText(field(spec.impact, record), 20).toLowerCase();
  // A resolved_when value that is a date (an `ended_at`) is when it was resolved.
  const resolvedAt = resolved ? (spec.resolved_when === undefined ? undefined : parseDate(field(spec.resolved_when.path, record))) ?? updatedAt : null;
  return {
    id,
    title,
    status: statusWord(theirStatus, resolved),
    impact: impacts.has(theirImpact) ? theirImpact : guessImpact(`${title} ${text}`),
    url: httpLink(field(spec.url, record), ctx.url),
    startedAt,
    updatedAt: updatedAt < startedAt ? startedAt : updatedAt,
    resolvedAt,
    text,
    components: [],
  };
}

/** The snapshot of a JSON body read by the config's paths. */
export function parseJson(body: string, config: JsonConfig, ctx: ParseContext): FeedSnapshot {
  const doc = readJson(body, "JSON");
  if (typeof doc !== "object" || doc === null) throw new FeedParseError(`expected a JSON object or array, got ${doc === null ? "null" : `a ${typeof doc}`}`);
  const components: UpstreamComponent[] = [];
  if (config.components !== undefined) {
    for (const record of recordsAt("components", config.components.path, doc)) {
      const c = componentOf(record, config.components);
      if (c !== undefined) components.push(c);
      if (components.length >= maxComponents) break;
    }
  }
  const incidents =
    config.incidents === undefined
      ? []
      : recordsAt("incidents", config.incidents.path, doc)
          .map((r) => incidentOf(r, config.incidents as NonNullable<JsonConfig["incidents"]>, ctx))
          .filter((i): i is UpstreamIncident => i !== undefined)
          .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())
          .slice(0, maxItems);
  return { components, incidents, maintenances: [] };
}

/** Reads any JSON endpoint through the config's JSONPaths. */
export const jsonFormat: FeedFormat<JsonConfig> = {
  type: "json",
  configSchema: JsonConfig,
  url: (config) => config.url,
  accept: "application/json",
  parse: parseJson,
};
